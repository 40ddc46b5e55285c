import assert from 'node:assert/strict';
import {after, before, it} from 'node:test';
import {command as cap} from '../../source/commands/cap.ts';
import {command as statusCommand} from '../../source/commands/status.ts';
import {openStore} from '../../source/core/store/store.ts';
import {runCommand} from './run.ts';
import {daemonState, makeHome, serveInProcess, type TestHome} from './serve-harness.ts';

/*
`codexpool cap` with no daemon (the store-backed core) and through a running daemon (the remote core over the
admin API): the same exit codes, the same messages, the same caps saved with the marks; shown by `status`,
`status --json` and the admin API's /api/state.
*/

let home: TestHome;

before(async () => {
	home = await makeHome(['alpha', 'beta']);
});

after(async () => {
	await home.upstream.close();
});

const steps: readonly (readonly string[])[] = [
	['alpha', '--five-hour', '90', '--weekly', '80'],
	['beta', '--weekly', '50'],
	['beta', '--off'],
	['beta', '--weekly', '70'],
	['nobody', '--weekly', '80'],
	['beta', '--weekly', '120'],
	['beta'],
	['beta', '--off', '--weekly', '60'],
];

async function runAll() {
	const outcomes: {code: number; message: string}[] = [];
	for (const args of steps) {
		const result = await runCommand(cap, [...args, '--home', home.home], home.env);
		outcomes.push({
			code: result.code,
			message: result.code === 0 ? result.stdout.split('\n')[0]! : result.stderr.trim(),
		});
	}

	return outcomes;
}

const savedCaps = () =>
	openStore(home.home)
		.listAccounts()
		.map((account) => [account.name, account.caps]);

function clearCaps(): void {
	const store = openStore(home.home);
	for (const account of store.listAccounts()) store.setCaps(account.id, undefined);
}

it('cap sets and clears caps the same way with a daemon as without one, and refuses bad input', async () => {
	clearCaps();
	const withoutDaemon = await runAll();
	const storeOnly = savedCaps();
	clearCaps();
	const daemon = await serveInProcess(home);
	let throughDaemon: typeof withoutDaemon;
	let state: Awaited<ReturnType<typeof daemonState>>;
	let json: {accounts: {name: string; caps?: unknown}[]};
	let text: string;
	try {
		throughDaemon = await runAll();
		state = await daemonState(daemon.url);
		json = JSON.parse((await runCommand(statusCommand, ['--json', '--home', home.home], home.env)).stdout);
		text = (await runCommand(statusCommand, ['--home', home.home], home.env)).stdout;
	} finally {
		await daemon.stop();
	}

	assert.deepEqual(throughDaemon, withoutDaemon);
	assert.deepEqual(savedCaps(), storeOnly);
	assert.deepEqual(storeOnly, [
		['alpha', {fiveHour: 90, weekly: 80}],
		['beta', {weekly: 70}],
	]);
	assert.deepEqual(
		withoutDaemon.map((outcome) => outcome.code),
		[0, 0, 0, 0, 2, 2, 2, 2],
	);
	assert.match(
		withoutDaemon[0]!.message,
		/^Capped alpha at 5-hour 90 %, weekly 80 %: at a cap it takes no new work/,
	);
	assert.match(withoutDaemon[2]!.message, /^No caps on beta: its windows are used to 100 %\.$/);
	assert.match(withoutDaemon[5]!.message, /--weekly "120" is not a percent from 1 to 100/);
	// Shown where the marks are: the admin API, status --json, status.
	assert.deepEqual(
		state.accounts.map((account) => [account.name, account.caps]),
		[
			['alpha', {fiveHour: 90, weekly: 80}],
			['beta', {weekly: 70}],
		],
	);
	assert.deepEqual(json.accounts.find((account) => account.name === 'alpha')?.caps, {
		fiveHour: 90,
		weekly: 80,
	});
	assert.match(text, /CAPS/);
	assert.match(text, /alpha .*5h 90% wk 80%/);
	// And without a daemon, status shows them from the store.
	const storeStatus = await runCommand(statusCommand, ['--home', home.home], home.env);
	assert.match(storeStatus.stdout, /beta .*wk 70%/);
});
