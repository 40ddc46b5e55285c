import assert from 'node:assert/strict';
import {after, before, describe, it} from 'node:test';
import {command} from '../../source/commands/strategy.ts';
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
	home = await makeHome(['alpha', 'beta', 'gamma']);
});

after(async () => {
	await home.upstream.close();
});

const strategy = async (...args: string[]) => runCommand(command, [...args, '--home', home.home], home.env);
const idOf = (name: string) =>
	openStore(home.home)
		.listAccounts()
		.find((account) => account.name === name)!.id;

describe('strategy with no daemon', () => {
	it('lists every strategy with its description and marks the current one', async () => {
		const result = await strategy();
		assert.equal(result.code, 0, result.stderr);
		assert.match(result.stdout, /^Current strategy: phase-fit$/m);
		assert.match(result.stdout, /^\* phase-fit\s+codexpool: /m);
		assert.match(result.stdout, /^ {2}round-robin\s+Baseline: the least recently picked usable account$/m);
		assert.match(result.stdout, /^ {2}sequential\s+Drain accounts in your order/m);
	});

	it('sets a strategy and sequential’s options in the store, and says no daemon runs', async () => {
		const result = await strategy('sequential', '--order', 'gamma,al', '--threshold', '90');
		assert.equal(result.code, 0, result.stderr);
		assert.match(result.stdout, /^Strategy: sequential\. Drain accounts/m);
		assert.match(result.stdout, /Sequential: order gamma → alpha; move on at 90% of the 5-hour window\./);
		assert.match(result.stdout, /No daemon serves .*: saved in the store/);
		const settings = openStore(home.home).getSettings();
		assert.equal(settings.strategy, 'sequential');
		assert.deepEqual(settings.strategyOptions, {order: [idOf('gamma'), idOf('alpha')], threshold: 90});
		const list = await strategy();
		assert.match(list.stdout, /^\* sequential/m);
		assert.match(list.stdout, /^sequential: order gamma, alpha, threshold 90%$/m);
		// Options alone keep the strategy and merge: the order stays.
		assert.equal((await strategy('--threshold', '80')).code, 0);
		assert.deepEqual(openStore(home.home).getSettings().strategyOptions, {
			order: [idOf('gamma'), idOf('alpha')],
			threshold: 80,
		});
	});

	it('bad names and values: exit 2 and what to type', async () => {
		const unknown = await strategy('fastest');
		assert.equal(unknown.code, 2);
		assert.match(
			unknown.stderr,
			/Unknown strategy "fastest"\. Valid strategies: phase-fit, random, round-robin/,
		);
		const threshold = await strategy('sequential', '--threshold', '150');
		assert.equal(threshold.code, 2);
		assert.match(threshold.stderr, /threshold is a 5-hour used percent from 1 to 100/);
		const word = await strategy('sequential', '--threshold', 'high');
		assert.equal(word.code, 2);
		const order = await strategy('sequential', '--order', 'alpha,nobody');
		assert.equal(order.code, 2);
		assert.match(order.stderr, /No account matches "nobody"\. Accounts: alpha, beta, gamma\./);
		const twice = await strategy('sequential', '--order', 'alpha,alpha');
		assert.equal(twice.code, 2);
		assert.match(twice.stderr, /names alpha twice/);
		const wrong = await strategy('round-robin', '--order', 'alpha');
		assert.equal(wrong.code, 2);
		assert.match(wrong.stderr, /An order and a threshold are options of sequential, not of round-robin/);
		const two = await strategy('ours', 'random');
		assert.equal(two.code, 2);
		assert.equal(openStore(home.home).getSettings().strategy, 'sequential', 'nothing changed');
	});
});

describe('strategy with a daemon', () => {
	let daemon: InProcessDaemon;
	before(async () => {
		daemon = await serveInProcess(home);
	});
	after(async () => {
		await daemon.stop();
	});

	it('sets it in the daemon at once; sequential’s order decides where new sessions go', async () => {
		const result = await strategy('sequential', '--order', 'beta,gamma,alpha', '--threshold', '95');
		assert.equal(result.code, 0, result.stderr);
		assert.match(result.stdout, /Applied by the daemon at http:\/\/127\.0\.0\.1:\d+: in effect now/);
		assert.equal((await daemonState(daemon.url)).strategy, 'sequential');
		assert.deepEqual(openStore(home.home).getSettings().strategyOptions.order, [
			idOf('beta'),
			idOf('gamma'),
			idOf('alpha'),
		]);
		for (const session of ['q-1', 'q-2']) {
			assert.equal((await turn(daemon.url, session)).statusCode, 200);
		}

		const state = await pollUntil(
			async () => daemonState(daemon.url),
			(snapshot) => snapshot.sessions.length >= 2,
		);
		assert.deepEqual(
			state.sessions.map((session) => session.accountId),
			[idOf('beta'), idOf('beta')],
		);

		const back = await strategy('round-robin');
		assert.equal(back.code, 0, back.stderr);
		assert.equal((await daemonState(daemon.url)).strategy, 'round-robin');
		const list = await strategy();
		assert.match(list.stdout, /^\* round-robin/m);
	});

	it('a bad name is refused with exit 2, and the daemon keeps its strategy', async () => {
		const result = await strategy('nope');
		assert.equal(result.code, 2);
		assert.match(result.stderr, /Unknown strategy "nope"/);
		assert.equal((await daemonState(daemon.url)).strategy, 'round-robin');
	});
});
