import assert from 'node:assert/strict';
import {after, before, it} from 'node:test';
import {drain, evict, pin, restore, unpin} from '../../source/commands/marks.ts';
import {command as scheduler} from '../../source/commands/scheduler.ts';
import {command as strategy} from '../../source/commands/strategy.ts';
import type {Command} from '../../source/commands/types.ts';
import {noMarks} from '../../source/core/model.ts';
import {defaultSettings} from '../../source/core/store/defaults.ts';
import {openStore} from '../../source/core/store/store.ts';
import {runCommand} from './run.ts';
import {makeHome, serveInProcess, type TestHome} from './serve-harness.ts';

/*
Every mark and setting, run once with no daemon (the store-backed core) and once through a running daemon (the
remote core over the admin API): the same exit code, the same message, the same saved state. Only the line
that says where the change took effect differs.
*/

let home: TestHome;

before(async () => {
	home = await makeHome(['alpha', 'beta', 'gamma']);
});

after(async () => {
	await home.upstream.close();
});

const steps: ReadonlyArray<readonly [Command, ...string[]]> = [
	[pin, 'beta'],
	[pin, 'alpha'],
	[unpin, 'alpha'],
	[drain, 'gamma'],
	[evict, 'alp'],
	[restore, 'alpha'],
	[restore, 'gamma'],
	[pin, 'nobody'],
	[evict, 'a'],
	[restore, 'alpha'],
	[strategy, 'sequential', '--order', 'gamma,al', '--threshold', '90'],
	[strategy, '--threshold', '80'],
	[strategy, 'round-robin', '--order', 'beta'],
	[strategy, 'sequential', '--order', 'alpha,nobody'],
	[strategy, 'fastest'],
	[strategy, 'round-robin'],
	[scheduler, 'on', '--dry-run', '--policy', 'stagger', '--accounts', 'alpha,gam', '--quiet', '22:00-07:00'],
	[scheduler, '--no-quiet', '--accounts', 'all'],
	[scheduler, '--policy', 'fast'],
	[scheduler, '--accounts', 'nobody'],
	[scheduler, 'off'],
	// Former names are accepted on every way in: here the command line, the admin API and the store.
	[strategy, 'ours'],
	[scheduler, '--policy', 'ours'],
];

type Outcome = {code: number; message: string; effect: string};

async function runAll(): Promise<Outcome[]> {
	const outcomes: Outcome[] = [];
	for (const [command, ...args] of steps) {
		const result = await runCommand(command, [...args, '--home', home.home], home.env);
		const [message = '', effect = ''] = result.stdout.split('\n');
		outcomes.push({code: result.code, message: result.code === 0 ? message : result.stderr.trim(), effect});
	}

	return outcomes;
}

function savedState() {
	const store = openStore(home.home);
	return {
		marks: store.listAccounts().map((account) => [account.name, account.marks]),
		settings: store.getSettings(),
	};
}

function resetStore(): void {
	const store = openStore(home.home);
	for (const account of store.listAccounts()) {
		store.setMarks(account.id, noMarks);
	}

	store.setSettings({
		strategy: defaultSettings.strategy,
		strategyOptions: {},
		scheduler: defaultSettings.scheduler,
	});
}

it('every mark and setting gives the same result and message with a daemon as without one', async () => {
	resetStore();
	const withoutDaemon = await runAll();
	const storeOnly = savedState();

	resetStore();
	const daemon = await serveInProcess(home);
	let throughDaemon: Outcome[];
	try {
		throughDaemon = await runAll();
	} finally {
		await daemon.stop();
	}

	const strip = (outcomes: Outcome[]) => outcomes.map(({code, message}) => ({code, message}));
	assert.deepEqual(strip(throughDaemon), strip(withoutDaemon));
	assert.deepEqual(savedState(), storeOnly);

	// What the steps did, once (the comparison above holds it for both ways).
	const codes = withoutDaemon.map((outcome) => outcome.code);
	assert.deepEqual(codes, [0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 2, 2, 2, 0, 0, 0, 2, 2, 0, 0, 0]);
	assert.match(withoutDaemon[0]!.message, /^Pinned beta: new sessions go to it while it is usable\.$/);
	assert.match(
		withoutDaemon[1]!.message,
		/^Pinned alpha: new sessions go to the pinned accounts \(alpha, beta\) while one is usable, the strategy choosing among them/,
	);
	assert.match(
		withoutDaemon[2]!.message,
		/^Unpinned alpha: new sessions go to the pinned account \(beta\)\.$/,
	);
	assert.match(
		withoutDaemon[4]!.message,
		/^Evicted alpha: .*its sessions move to other accounts on their next request\.$/,
	);
	assert.match(withoutDaemon[7]!.message, /No account matches "nobody"/);
	assert.match(
		withoutDaemon[10]!.message,
		/Sequential: order gamma → alpha; move on at 90% of the 5-hour window\./,
	);
	assert.match(withoutDaemon[16]!.message, /^Scheduler on; policy stagger; dry run/);
	assert.match(withoutDaemon[21]!.message, /^Strategy: phase-fit\. /);
	assert.match(withoutDaemon[22]!.message, /^Scheduler off; policy rotate-restart;/);
	assert.equal(savedState().settings.strategy, 'phase-fit');
	assert.equal(savedState().settings.scheduler.policy, 'rotate-restart');
	for (const [index, outcome] of withoutDaemon.entries()) {
		if (outcome.code === 0) {
			assert.match(
				outcome.effect,
				/No daemon serves .*: saved in the store; it applies when the pool starts/,
			);
			assert.match(
				throughDaemon[index]!.effect,
				/Applied by the daemon at http:\/\/127\.0\.0\.1:\d+: in effect now/,
			);
		}
	}
});
