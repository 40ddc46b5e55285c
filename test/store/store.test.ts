import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {describe, it} from 'node:test';
import {resolveHome} from '../../source/core/home.ts';
import {defaultSettings} from '../../source/core/store/defaults.ts';
import {
	openStore,
	StoreCorruptError,
	storeFileName,
	uniqueAccountName,
} from '../../source/core/store/store.ts';
import {makeAccount, tempDir} from './fixtures.ts';

const mode = (file: string) => fs.statSync(file).mode & 0o777;

describe('resolveHome', () => {
	it('prefers --home, then $CODEXPOOL_HOME, and creates the folder 0700', () => {
		const root = tempDir();
		const fromFlag = resolveHome(path.join(root, 'a', 'b'), {CODEXPOOL_HOME: path.join(root, 'env')});
		assert.equal(fromFlag, path.join(root, 'a', 'b'));
		assert.equal(mode(fromFlag), 0o700);
		const fromEnv = resolveHome(undefined, {CODEXPOOL_HOME: path.join(root, 'env')});
		assert.equal(fromEnv, path.join(root, 'env'));
		assert.equal(mode(fromEnv), 0o700);
		assert.ok(!fs.existsSync(path.join(root, 'a', 'b', storeFileName)));
	});

	it('defaults to ~/.codexpool', () => {
		const root = tempDir();
		const previous = process.env.HOME;
		process.env.HOME = root;
		try {
			assert.equal(resolveHome(undefined, {}), path.join(root, '.codexpool'));
		} finally {
			process.env.HOME = previous;
		}
	});

	it('refuses a file as home with a clear message', () => {
		const file = path.join(tempDir(), 'file');
		fs.writeFileSync(file, 'x');
		assert.throws(() => resolveHome(file, {}), /is a file, not a folder: choose another home with --home/);
	});
});

describe('Store', () => {
	it('adds, lists, updates and removes accounts, on disk with mode 0600 in a 0700 folder', () => {
		const home = path.join(tempDir(), 'home');
		const store = openStore(home);
		store.addAccount(makeAccount('acc-1'));
		store.addAccount(makeAccount('acc-2'));
		assert.equal(mode(home), 0o700);
		assert.equal(mode(store.path), 0o600);
		assert.deepEqual(
			openStore(home)
				.listAccounts()
				.map((account) => account.id),
			['acc-1', 'acc-2'],
		);

		store.setMarks('acc-1', {pinned: true, drained: false, evicted: false});
		assert.equal(openStore(home).getAccount('acc-1')?.marks.pinned, true);
		assert.equal(store.removeAccount('acc-2'), true);
		assert.equal(store.removeAccount('acc-2'), false);
		assert.deepEqual(
			openStore(home)
				.listAccounts()
				.map((account) => account.id),
			['acc-1'],
		);
		assert.equal(mode(store.path), 0o600);
	});

	it('refuses a duplicate id or a name already taken', () => {
		const store = openStore(tempDir());
		store.addAccount(makeAccount('acc-1', {name: 'work'}));
		assert.throws(() => store.addAccount(makeAccount('acc-1', {name: 'other'})), /already saved/);
		assert.throws(() => store.addAccount(makeAccount('acc-2', {name: 'Work'})), /already used/);
		assert.equal(uniqueAccountName(store.listAccounts(), 'work'), 'work-2');
		assert.equal(uniqueAccountName(store.listAccounts(), 'home'), 'home');
	});

	it('updateTokens is on disk when it returns, and records needsLogin', () => {
		const home = tempDir();
		const store = openStore(home);
		store.addAccount(makeAccount('acc-1'));
		const tokens = {idToken: 'id', accessToken: 'at-2', refreshToken: 'rt-2', lastRefresh: 5};
		store.updateTokens('acc-1', tokens, {plan: 'pro'});
		const onDisk = JSON.parse(fs.readFileSync(store.path, 'utf8'));
		assert.deepEqual(onDisk.accounts[0].tokens, tokens);
		assert.equal(onDisk.accounts[0].plan, 'pro');
		store.setNeedsLogin('acc-1', {code: 'refresh_token_reused', message: 'log in again', at: 1});
		assert.equal(openStore(home).getAccount('acc-1')?.needsLogin?.code, 'refresh_token_reused');
		store.setNeedsLogin('acc-1', undefined);
		assert.equal(openStore(home).getAccount('acc-1')?.needsLogin, undefined);
		assert.throws(() => store.updateTokens('nope', tokens), /No saved account has the id nope/);
	});

	it('reads a strategy and a kick policy saved under their former name, ours, as their current names', () => {
		const home = tempDir();
		const store = openStore(home);
		store.setSettings({strategy: 'ours', scheduler: {...store.getSettings().scheduler, policy: 'ours'}});
		const again = openStore(home).getSettings();
		assert.equal(again.strategy, 'phase-fit');
		assert.equal(again.scheduler.policy, 'rotate-restart');
	});

	it('keeps settings with defaults, pool keys and the scheduler plan', () => {
		const home = tempDir();
		const store = openStore(home);
		assert.deepEqual(store.getSettings(), defaultSettings);
		assert.equal(store.getSettings().strategy, 'phase-fit');
		store.setSettings({strategy: 'sequential', strategyOptions: {order: ['b', 'a'], threshold: 90}});
		const key = {
			id: 'k1',
			name: 'ci',
			prefix: 'cxp_ab12',
			hash: 'f'.repeat(64),
			createdAt: 1,
			lastUsedAt: undefined,
		};
		store.setKeys([key]);
		store.setSchedulerPlan({kicks: [{account: 'a', at: 5}]});
		const again = openStore(home);
		assert.equal(again.getSettings().strategy, 'sequential');
		assert.deepEqual(again.getSettings().strategyOptions, {order: ['b', 'a'], threshold: 90});
		assert.equal(again.getSettings().maxBodyBytes, defaultSettings.maxBodyBytes);
		assert.deepEqual(again.getKeys(), [
			{id: 'k1', name: 'ci', prefix: 'cxp_ab12', hash: 'f'.repeat(64), createdAt: 1},
		]);
		assert.deepEqual(again.getSchedulerPlan(), {kicks: [{account: 'a', at: 5}]});
	});

	it('fills in settings an older file lacks', () => {
		const home = tempDir();
		fs.writeFileSync(
			path.join(home, storeFileName),
			JSON.stringify({version: 1, accounts: [], keys: [], settings: {strategy: 'drain-first'}}),
		);
		const settings = openStore(home).getSettings();
		assert.equal(settings.strategy, 'drain-first');
		assert.deepEqual(settings.scheduler, defaultSettings.scheduler);
	});

	it('tells listeners about its own writes and about writes of another process', () => {
		const home = tempDir();
		const store = openStore(home);
		const seen: number[] = [];
		const stop = store.onDidChange((data) => seen.push(data.accounts.length));
		store.addAccount(makeAccount('acc-1'));
		openStore(home).addAccount(makeAccount('acc-2'));
		assert.equal(store.listAccounts().length, 2);
		stop();
		store.removeAccount('acc-1');
		assert.deepEqual(seen, [1, 2]);
	});

	it('watch() reports changes another process made without a read', async () => {
		const home = tempDir();
		const store = openStore(home);
		const seen: string[][] = [];
		store.onDidChange((data) => seen.push(data.accounts.map((account) => account.id)));
		const stop = store.watch(10);
		openStore(home).addAccount(makeAccount('acc-9'));
		const deadline = Date.now() + 2000;
		while (seen.length === 0 && Date.now() < deadline) {
			await new Promise((resolve) => setTimeout(resolve, 10));
		}

		stop();
		assert.deepEqual(seen, [['acc-9']]);
	});

	it('a file damaged while running is set aside; the running store keeps its accounts and saves them again', () => {
		const home = tempDir();
		const store = openStore(home);
		store.addAccount(makeAccount('acc-1'));
		fs.writeFileSync(store.path, '{"broken');
		assert.throws(() => store.listAccounts(), StoreCorruptError);
		assert.deepEqual(
			store.listAccounts().map((account) => account.id),
			['acc-1'],
		);
		store.addAccount(makeAccount('acc-2'));
		assert.equal(openStore(home).listAccounts().length, 2);
		assert.equal(fs.readdirSync(home).filter((name) => name.includes('.corrupt-')).length, 1);
	});

	it('returns frozen records', () => {
		const store = openStore(tempDir());
		store.addAccount(makeAccount('acc-1'));
		assert.throws(() => {
			(store.listAccounts()[0] as {name: string}).name = 'x';
		}, TypeError);
	});

	it('tightens a store file readable by others to 0600', () => {
		const home = tempDir();
		const file = path.join(home, storeFileName);
		fs.writeFileSync(file, JSON.stringify({version: 1, accounts: [], keys: [], settings: {}}), {mode: 0o644});
		openStore(home);
		assert.equal(mode(file), 0o600);
	});
});

describe('a damaged store', () => {
	const cases: [string, string, RegExp][] = [
		['not JSON', '{"accounts": [{"tokens": {"refreshToken": "rt-secret"', /it is not valid JSON/],
		['empty', '', /it is not valid JSON/],
		[
			'the wrong shape',
			JSON.stringify({accounts: [], settings: {requireKey: 'rt-secret'}}),
			/does not match the expected shape/,
		],
	];
	for (const [label, content, reason] of cases) {
		it(`is moved aside, never replaced, with a clear message: ${label}`, () => {
			const home = tempDir();
			const file = path.join(home, storeFileName);
			fs.writeFileSync(file, content, {mode: 0o600});
			let error: unknown;
			try {
				openStore(home);
			} catch (caught) {
				error = caught;
			}

			assert.ok(error instanceof StoreCorruptError);
			assert.match(error.message, reason);
			assert.match(error.message, /was moved to .*codexpool\.json\.corrupt-/);
			assert.match(error.message, /codexpool import|codexpool login/);
			assert.doesNotMatch(error.message, /rt-secret/);
			const aside = fs.readdirSync(home).filter((name) => name.startsWith(`${storeFileName}.corrupt-`));
			assert.equal(aside.length, 1);
			assert.equal(fs.readFileSync(path.join(home, aside[0]!), 'utf8'), content);
			// The next start begins afresh and says why, naming the copy, until the copy is dealt with.
			const later = openStore(home);
			assert.deepEqual(later.listAccounts(), []);
			const [damage] = later.damage();
			assert.ok(damage !== undefined, 'a later open still says the store was damaged');
			assert.equal(damage.file, path.join(home, aside[0]!));
			assert.match(damage.message, reason);
			assert.ok(damage.message.includes(aside[0]!));
			assert.doesNotMatch(damage.message, /rt-secret/);
			assert.equal(fs.readFileSync(path.join(home, aside[0]!), 'utf8'), content);
			fs.rmSync(path.join(home, aside[0]!));
			assert.deepEqual(openStore(home).damage(), [], 'said until the copy is deleted');
		});
	}

	it('one account that cannot be used is set aside alone; the others are kept, and it is said which', () => {
		const home = tempDir();
		const file = path.join(home, storeFileName);
		const {tokens: _, ...noTokens} = makeAccount('acc-2', {name: 'bob'});
		const content = JSON.stringify({
			version: 1,
			accounts: [makeAccount('acc-1', {name: 'alice'}), noTokens, makeAccount('acc-3', {name: 'carol'})],
			settings: {strategy: 'sequential'},
			keys: [],
		});
		fs.writeFileSync(file, content, {mode: 0o600});
		const store = openStore(home);
		assert.deepEqual(
			store.listAccounts().map((account) => account.name),
			['alice', 'carol'],
		);
		assert.equal(store.getSettings().strategy, 'sequential');
		const [damage] = store.damage();
		assert.ok(damage !== undefined);
		assert.match(damage.message, /One account of the store could not be used .*: bob \(it has no tokens\)/);
		assert.match(damage.message, /The other 2 accounts are kept/);
		assert.equal(fs.readFileSync(damage.file, 'utf8'), content, 'the file as it was');
		assert.match(damage.file, /codexpool\.json\.corrupt-/);
		// Every later open says it too, and nothing is set aside twice.
		const later = openStore(home);
		assert.deepEqual(later.damage(), [damage]);
		assert.equal(later.listAccounts().length, 2);
		assert.equal(fs.readdirSync(home).filter((name) => name.includes('.corrupt-')).length, 1);
		for (const account of [makeAccount('acc-1'), makeAccount('acc-3')]) {
			assert.doesNotMatch(damage.message, new RegExp(account.tokens.refreshToken));
		}
	});
});
