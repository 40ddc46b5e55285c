import assert from 'node:assert/strict';
import {spawnSync} from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {describe, it} from 'node:test';
import {fileURLToPath} from 'node:url';
import {storeFileName} from '../../source/core/store/store.ts';
import {homeWithAccountWithoutTokens, tempDir} from '../store/fixtures.ts';

// A damaged store is said by every later command, naming the copy set aside, not just by the first.
const cli = fileURLToPath(new URL('../../source/cli.tsx', import.meta.url));

function codexpool(home: string, ...args: string[]) {
	return spawnSync(process.execPath, ['--import', 'tsx', cli, ...args, '--home', home], {
		encoding: 'utf8',
		env: {...process.env, CODEXPOOL_HOME: ''},
		timeout: 30_000,
	});
}

const asideIn = (home: string) => fs.readdirSync(home).filter((name) => name.includes('.corrupt-'));

describe('a damaged store, command after command', () => {
	it('a file that is not JSON: the first command says it was moved, and so does every later one', () => {
		const home = tempDir();
		fs.writeFileSync(path.join(home, storeFileName), '{"accounts": [', {mode: 0o600});
		const first = codexpool(home, 'accounts');
		assert.equal(first.status, 1);
		assert.match(
			first.stderr,
			/is damaged \(it is not valid JSON\)\. It was moved to .*codexpool\.json\.corrupt-/,
		);
		const [aside] = asideIn(home);
		assert.ok(aside !== undefined);
		for (const args of [['accounts'], ['status'], ['strategy']]) {
			const later = codexpool(home, ...args);
			assert.equal(later.status, 0, later.stderr);
			assert.match(
				later.stderr,
				/The store was damaged \(it is not valid JSON\) and moved to /,
				args.join(' '),
			);
			assert.ok(later.stderr.includes(aside), `${args.join(' ')} names ${aside}:\n${later.stderr}`);
		}

		fs.rmSync(path.join(home, aside));
		assert.doesNotMatch(codexpool(home, 'accounts').stderr, /damaged/, 'quiet once the copy is dealt with');
	});

	it('one account without tokens: the others are listed, and each command says which was set aside', () => {
		const home = homeWithAccountWithoutTokens();
		for (let run = 0; run < 2; run++) {
			const result = codexpool(home, 'accounts');
			assert.equal(result.status, 0, result.stderr);
			assert.match(result.stdout, /alice/);
			assert.doesNotMatch(result.stdout, /bob/);
			assert.match(result.stderr, /One account of the store could not be used .*: bob \(it has no tokens\)/);
			assert.ok(result.stderr.includes(asideIn(home)[0]!), result.stderr);
		}

		assert.equal(asideIn(home).length, 1);
	});
});
