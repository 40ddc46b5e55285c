import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {describe, it} from 'node:test';
import {command as accounts} from '../../source/commands/accounts.ts';
import {command as importCommand} from '../../source/commands/import.ts';
import {openStore, storeFileName} from '../../source/core/store/store.ts';
import {authJson} from '../auth/fixtures.ts';
import {tempDir} from '../store/fixtures.ts';
import {runCommand} from './run.ts';

function setup() {
	const root = tempDir();
	const home = path.join(root, 'home');
	const write = (name: string, text: string) => {
		const file = path.join(root, name);
		fs.mkdirSync(path.dirname(file), {recursive: true});
		fs.writeFileSync(file, text);
		return file;
	};

	return {root, home, write, run: (argv: string[]) => runCommand(importCommand, [...argv, '--home', home])};
}

describe('codexpool import', () => {
	it('imports a CODEX_HOME and names the account by its email', async () => {
		const {root, home, write, run} = setup();
		write('codex/auth.json', authJson('acc-1', {plan: 'pro'}));
		const result = await run([path.join(root, 'codex')]);
		assert.equal(result.code, 0, result.stderr);
		assert.match(result.stdout, /Added acc-1@example.com, plan pro/);
		const [account] = openStore(home).listAccounts();
		assert.equal(account?.name, 'acc-1@example.com');
		assert.equal(account?.plan, 'pro');
		assert.equal(account?.tokens.refreshToken, 'rt-secret-acc-1');
		assert.doesNotMatch(result.stdout, /rt-secret/);
	});

	it('imports a folder of *.auth.json, one account per ChatGPT account, keeping the newer tokens', async () => {
		const {root, home, write, run} = setup();
		write('many/a.auth.json', authJson('acc-1', {lastRefresh: '2026-01-01T00:00:00Z', rt: 'rt-old'}));
		write('many/b.auth.json', authJson('acc-1', {lastRefresh: '2026-02-01T00:00:00Z', rt: 'rt-new'}));
		write('many/c.auth.json', authJson('acc-2'));
		const result = await run([path.join(root, 'many')]);
		assert.equal(result.code, 0, result.stderr);
		assert.match(
			result.stdout,
			/a\.auth\.json is another login of the same ChatGPT account: not added twice/,
		);
		const saved = openStore(home).listAccounts();
		assert.deepEqual(
			saved.map((account) => [account.id, account.tokens.refreshToken]),
			[
				['acc-1', 'rt-new'],
				['acc-2', 'rt-secret-acc-2'],
			],
		);
	});

	it('says so when a login of an already saved account is imported, and keeps the newer tokens', async () => {
		const {home, write, run} = setup();
		const newer = write(
			'newer.json',
			authJson('acc-1', {lastRefresh: '2026-03-01T00:00:00Z', rt: 'rt-newer'}),
		);
		const older = write(
			'older.json',
			authJson('acc-1', {lastRefresh: '2026-01-01T00:00:00Z', rt: 'rt-older'}),
		);
		assert.equal((await run([newer, '--name', 'work'])).code, 0);
		const again = await run([older]);
		assert.equal(again.code, 0);
		assert.match(
			again.stdout,
			/work \(acc-1@example.com\) is already saved \(same ChatGPT account\); kept its tokens/,
		);
		assert.equal(openStore(home).getAccount('acc-1')?.tokens.refreshToken, 'rt-newer');
		const newest = write(
			'newest.json',
			authJson('acc-1', {lastRefresh: '2026-04-01T00:00:00Z', rt: 'rt-newest'}),
		);
		const third = await run([newest]);
		assert.match(third.stdout, /was already saved \(same ChatGPT account\); took the newer tokens/);
		assert.equal(openStore(home).listAccounts().length, 1);
		assert.equal(openStore(home).getAccount('acc-1')?.tokens.refreshToken, 'rt-newest');
		assert.equal(openStore(home).getAccount('acc-1')?.name, 'work');
	});

	it('replaces the tokens of an account that needs a fresh login', async () => {
		const {home, write, run} = setup();
		const first = write('a.json', authJson('acc-1', {rt: 'rt-1'}));
		await run([first]);
		openStore(home).setNeedsLogin('acc-1', {code: 'refresh_token_reused', message: 'log in', at: 1});
		const same = await run([first]);
		assert.match(
			same.stdout,
			/needs a fresh login; .*a\.json holds the same refused login\. Run `codexpool login --name acc-1@example\.com`/,
		);
		const result = await run([write('b.json', authJson('acc-1', {rt: 'rt-2'}))]);
		assert.match(result.stdout, /took the newer tokens/);
		assert.equal(openStore(home).getAccount('acc-1')?.needsLogin, undefined);
	});

	it('imports the good files of a folder and lists each bad one with what is wrong, one line each', async () => {
		const {root, home, write, run} = setup();
		write('many/a.auth.json', authJson('acc-1'));
		write('many/b.auth.json', authJson('acc-2'));
		write('many/c.auth.json', '{"tokens": {"access_token": "not closed"');
		write('many/d.auth.json', JSON.stringify({last_refresh: '2026-01-01T00:00:00Z'}));
		const result = await run([path.join(root, 'many')]);
		assert.equal(result.code, 0, 'something was imported');
		assert.match(result.stdout, /Added acc-1@example\.com, plan plus/);
		assert.match(result.stdout, /Added acc-2@example\.com, plan plus/);
		assert.deepEqual(result.stderr.trimEnd().split('\n'), [
			'Not imported, 2 files that are not usable logins:',
			'  c.auth.json: is not valid JSON; it should be a Codex auth.json ({"tokens": {...}, "last_refresh": ...}).',
			'  d.auth.json: has no "tokens" object, so it holds no ChatGPT login. Log in with `codex login` or `codexpool login`.',
		]);
		assert.doesNotMatch(result.stdout + result.stderr, /not closed/, 'the bad file is described, not quoted');
		assert.deepEqual(
			openStore(home)
				.listAccounts()
				.map((account) => account.id),
			['acc-1', 'acc-2'],
		);
	});

	it('exits 1 and touches nothing when no file of a folder is usable, listing each', async () => {
		const {root, home, write, run} = setup();
		await run([write('first.json', authJson('acc-0'))]);
		const before = fs.readFileSync(path.join(home, storeFileName), 'utf8');
		write('bad/a.auth.json', 'not json');
		write('bad/b.auth.json', JSON.stringify({tokens: {id_token: 'x'}}));
		const result = await run([path.join(root, 'bad')]);
		assert.equal(result.code, 1);
		assert.match(
			result.stderr,
			/Nothing was imported: none of the 2 auth files in .*bad is a usable login\./,
		);
		assert.match(result.stderr, /\n {2}a\.auth\.json: is not valid JSON/);
		assert.match(result.stderr, /\n {2}b\.auth\.json: tokens\.access_token is missing or empty/);
		assert.equal(fs.readFileSync(path.join(home, storeFileName), 'utf8'), before);
	});

	it('gives clear errors and a non-zero exit for bad input', async () => {
		const {root, write, run} = setup();
		write('two/a.auth.json', authJson('acc-1'));
		write('two/b.auth.json', authJson('acc-2'));
		const cases: [string[], number, RegExp][] = [
			[[], 2, /Give exactly one PATH/],
			[['a', 'b'], 2, /Give exactly one PATH/],
			[['/nonexistent/auth.json'], 1, /does not exist/],
			[
				[path.join(root, 'two'), '--name', 'x'],
				1,
				/--name names one account, but .* holds 2 different accounts/,
			],
			[[path.join(root, 'two'), '--name', ''], 2, /--name needs a value/],
			[[path.join(root, 'two'), '--bogus'], 2, /Unknown option --bogus/],
		];
		for (const [argv, code, message] of cases) {
			const result = await run(argv);
			assert.equal(result.code, code, `${argv.join(' ')}: ${result.stderr}`);
			assert.match(result.stderr, message);
		}
	});

	it('refuses a --name already used by another account', async () => {
		const {write, run} = setup();
		await run([write('a.json', authJson('acc-1')), '--name', 'work']);
		const result = await run([write('b.json', authJson('acc-2')), '--name', 'work']);
		assert.equal(result.code, 1);
		assert.match(result.stderr, /The name "work" is already used by another account/);
	});
});

describe('codexpool accounts', () => {
	it('lists name, email, plan, marks and login state, never tokens', async () => {
		const {home, write, run} = setup();
		const empty = await runCommand(accounts, ['--home', home]);
		assert.match(empty.stdout, /No accounts yet/);
		await run([write('a.json', authJson('acc-1', {plan: 'pro'})), '--name', 'work']);
		await run([write('b.json', authJson('acc-2'))]);
		const store = openStore(home);
		store.setMarks('acc-2', {pinned: true, drained: false, evicted: false});
		store.setNeedsLogin('acc-1', {
			code: 'refresh_token_reused',
			message: 'Run `codexpool login --name work`.',
			at: 1,
		});
		const text = await runCommand(accounts, ['--home', home]);
		assert.equal(text.code, 0);
		assert.match(text.stdout, /work\s+acc-1@example.com\s+pro\s+-\s+NEEDS LOGIN/);
		assert.match(text.stdout, /acc-2@example.com\s+acc-2@example.com\s+plus\s+pinned\s+ok/);
		assert.match(text.stdout, /work: Run `codexpool login --name work`/);
		const json = await runCommand(accounts, ['--json', '--home', home]);
		const listed = JSON.parse(json.stdout);
		assert.equal(listed.length, 2);
		assert.equal(listed[0].needsLogin.code, 'refresh_token_reused');
		assert.equal(listed[1].marks.pinned, true);
		for (const output of [text.stdout, json.stdout]) {
			assert.doesNotMatch(output, /rt-secret|eyJ/);
		}

		assert.equal((await runCommand(accounts, ['extra', '--home', home])).code, 2);
	});

	it('reports a damaged store with exit 1 and where it went', async () => {
		const {home} = setup();
		fs.mkdirSync(home, {recursive: true});
		fs.writeFileSync(path.join(home, storeFileName), '{broken');
		const result = await runCommand(accounts, ['--home', home]);
		assert.equal(result.code, 1);
		assert.match(result.stderr, /is damaged \(it is not valid JSON\)\. It was moved to/);
	});
});
