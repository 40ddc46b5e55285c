import assert from 'node:assert/strict';
import {after, before, describe, it} from 'node:test';
import {drain, evict, pin, restore, unpin} from '../../source/commands/marks.ts';
import {openStore} from '../../source/core/store/store.ts';
import {pollUntil} from '../helpers/eventually.ts';
import {runCommand} from './run.ts';
import {
	daemonState,
	type InProcessDaemon,
	makeHome,
	serveInProcess,
	type TestHome,
	turn,
} from './serve-harness.ts';

let home: TestHome;

before(async () => {
	home = await makeHome(['alpha', 'alpine', 'beta']);
});

after(async () => {
	await home.upstream.close();
});

const run = async (command: typeof pin, ...args: string[]) =>
	runCommand(command, [...args, '--home', home.home], home.env);

const stateOf = async (url: string, name: string) =>
	(await daemonState(url)).accounts.find((account) => account.name === name)?.state.kind;

describe('marks against a live daemon', () => {
	let daemon: InProcessDaemon;
	before(async () => {
		daemon = await serveInProcess(home);
	});
	after(async () => {
		await daemon.stop();
	});

	it('pin, drain, restore and unpin take effect in the daemon at once, and say so', async () => {
		const pinned = await run(pin, 'beta');
		assert.equal(pinned.code, 0, pinned.stderr);
		assert.match(pinned.stdout, /Pinned beta:/);
		assert.match(pinned.stdout, /Applied by the daemon at http:\/\/127\.0\.0\.1:\d+: in effect now/);
		assert.equal(await stateOf(daemon.url, 'beta'), 'pinned');
		// The daemon logs every action as a notice line.
		assert.match(daemon.output(), /^\S+Z info {2}Pinned beta: new sessions go to it/m);
		// Pinned: every new session goes to beta.
		const beta = (await daemonState(daemon.url)).accounts.find((a) => a.name === 'beta')!;
		for (const session of ['p-1', 'p-2', 'p-3']) {
			assert.equal((await turn(daemon.url, session)).statusCode, 200);
		}

		const sessions = (
			await pollUntil(
				async () => daemonState(daemon.url),
				(state) => state.sessions.length >= 3,
			)
		).sessions;
		for (const session of ['p-1', 'p-2', 'p-3']) {
			assert.equal(sessions.find((s) => s.id === session)?.accountId, beta.id);
		}

		assert.equal((await run(unpin, 'beta')).code, 0);
		assert.equal(await stateOf(daemon.url, 'beta'), 'active');
		const drained = await run(drain, 'alpine');
		assert.equal(drained.code, 0, drained.stderr);
		assert.match(drained.stdout, /Draining alpine:/);
		assert.equal(await stateOf(daemon.url, 'alpine'), 'drained');
		assert.equal((await run(restore, 'alpine')).code, 0);
		assert.equal(await stateOf(daemon.url, 'alpine'), 'active');
		// The daemon saved the marks in the store (they survive restarts).
		assert.equal(
			openStore(home.home)
				.listAccounts()
				.find((a) => a.name.startsWith('alpine'))?.marks.drained,
			false,
		);
	});

	it('evict moves a running session on its next request', async () => {
		assert.equal((await turn(daemon.url, 'e-1')).statusCode, 200);
		const before = await pollUntil(
			async () => daemonState(daemon.url),
			(state) => state.sessions.some((s) => s.id === 'e-1'),
		);
		const first = before.sessions.find((s) => s.id === 'e-1')!.accountId;
		const name = before.accounts.find((a) => a.id === first)!.name;
		const evicted = await run(evict, name);
		assert.equal(evicted.code, 0, evicted.stderr);
		assert.match(evicted.stdout, /Evicted .*its sessions move to other accounts on their next request/);
		assert.equal((await turn(daemon.url, 'e-1', 'again')).statusCode, 200);
		const after = await pollUntil(
			async () => daemonState(daemon.url),
			(state) => state.sessions.find((s) => s.id === 'e-1')?.accountId !== first,
		);
		assert.notEqual(after.sessions.find((s) => s.id === 'e-1')?.accountId, first);
		assert.ok(after.totals.moves >= 1);
		assert.equal((await run(restore, name)).code, 0);
	});

	it('an unknown or ambiguous name fails with the candidates, and changes nothing', async () => {
		const unknown = await run(pin, 'nobody');
		assert.equal(unknown.code, 2, 'bad input exits 2, with a daemon as without');
		assert.match(unknown.stderr, /No account matches "nobody"\. Accounts: alpha, alpine, beta\./);
		const ambiguous = await run(evict, 'al');
		assert.equal(ambiguous.code, 2);
		assert.match(ambiguous.stderr, /"al" matches 2 accounts: alpha, alpine\./);
		const state = await daemonState(daemon.url);
		assert.ok(state.accounts.every((account) => account.state.kind === 'active'));
	});
});

describe('marks with no daemon running', () => {
	it('are saved in the store, say so, and a daemon started later applies them', async () => {
		const evicted = await run(evict, 'alpha');
		assert.equal(evicted.code, 0, evicted.stderr);
		assert.match(evicted.stdout, /Evicted alpha:/);
		assert.match(evicted.stdout, /No daemon serves .*: saved in the store; it applies when the pool starts/);
		const pinned = await run(pin, 'beta@example.test');
		assert.equal(pinned.code, 0, pinned.stderr);
		const saved = openStore(home.home).listAccounts();
		assert.equal(saved.find((a) => a.name.startsWith('alpha'))?.marks.evicted, true);
		assert.equal(saved.find((a) => a.name.startsWith('beta'))?.marks.pinned, true);

		const daemon = await serveInProcess(home);
		try {
			assert.equal(await stateOf(daemon.url, 'alpha'), 'evicted');
			assert.equal(await stateOf(daemon.url, 'beta'), 'pinned');
		} finally {
			await daemon.stop();
		}

		for (const name of ['alpha', 'beta']) {
			assert.equal((await run(restore, name)).code, 0);
		}

		assert.ok(
			openStore(home.home)
				.listAccounts()
				.every((a) => !a.marks.evicted && !a.marks.pinned),
		);
	});

	it('bad names and arguments fail with a clear message and exit 2', async () => {
		const unknown = await run(drain, 'zed');
		assert.equal(unknown.code, 2);
		assert.match(unknown.stderr, /No account matches "zed"\. Accounts: alpha, alpine, beta\./);
		const ambiguous = await run(pin, 'al');
		assert.equal(ambiguous.code, 2);
		assert.match(ambiguous.stderr, /matches 2 accounts/);
		const none = await run(pin);
		assert.equal(none.code, 2);
		assert.match(none.stderr, /Name exactly one account: codexpool pin NAME/);
		const two = await run(restore, 'alpha', 'beta');
		assert.equal(two.code, 2);
		const flag = await run(evict, 'alpha', '--force');
		assert.equal(flag.code, 2);
		assert.match(flag.stderr, /Unknown option --force/);
	});
});
