import assert from 'node:assert/strict';
import {spawn} from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {it} from 'node:test';
import {fileURLToPath} from 'node:url';
import {openStore, storeFileName} from '../../source/core/store/store.ts';
import {tempDir} from './fixtures.ts';

const script = fileURLToPath(new URL('write-loop.fixture.ts', import.meta.url));
const rounds = 20;

function runAndKill(home: string, delayMs: number): Promise<void> {
	return new Promise((resolve, reject) => {
		const child = spawn(process.execPath, ['--import', 'tsx', script, home], {
			stdio: ['ignore', 'pipe', 'pipe'],
		});
		let stderr = '';
		child.stderr.on('data', (chunk: Buffer) => {
			stderr += chunk.toString();
		});
		// A writer that never gets going is killed too, and the round fails below.
		const stuck = setTimeout(() => child.kill('SIGTERM'), 30_000);
		child.stdout.once('data', () => {
			setTimeout(() => child.kill('SIGKILL'), delayMs);
		});
		child.once('exit', (code, signal) => {
			clearTimeout(stuck);
			if (signal === 'SIGKILL') {
				resolve();
			} else {
				reject(new Error(`the writer exited by itself (${code}): ${stderr}`));
			}
		});
	});
}

it(`a writer killed during writes (${rounds} times) always leaves a whole file, old or new`, async () => {
	const home = tempDir();
	const file = path.join(home, storeFileName);
	let last = -1;
	for (let round = 0; round < rounds; round++) {
		await runAndKill(home, 5 + ((round * 7) % 40));
		const text = fs.readFileSync(file, 'utf8');
		assert.doesNotThrow(() => JSON.parse(text), `round ${round}: the store is not valid JSON`);
		assert.equal(fs.statSync(file).mode & 0o777, 0o600);
		// Opening validates against the schema and would move a broken file aside.
		const account = openStore(home).getAccount('acc-1');
		assert.ok(account, `round ${round}: the account is gone`);
		const n = Number(account.tokens.refreshToken.split('-').at(-1));
		assert.ok(n >= last, `round ${round}: went back from ${last} to ${n}`);
		last = n;
	}

	console.log(`writes reached: ${last}`);
	assert.ok(last > rounds, `the writers wrote too little to prove anything (${last} writes)`);
	assert.deepEqual(
		fs.readdirSync(home).filter((name) => name.includes('.corrupt-')),
		[],
	);
	for (const name of fs.readdirSync(home)) {
		assert.equal(fs.statSync(path.join(home, name)).mode & 0o077, 0, `${name} is readable by others`);
	}
});
