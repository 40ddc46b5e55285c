import assert from 'node:assert/strict';
import {test} from 'node:test';
import {stripVTControlCharacters} from 'node:util';
import {cleanup, render} from 'ink-testing-library';
import {App} from '../../source/app.tsx';
import {command as schedulerCommand} from '../../source/commands/scheduler.ts';
import {systemClock} from '../../source/core/clock.ts';
import {startSimulatedUpstream} from '../../source/core/simulated-backend/index.ts';
import {runCommand} from '../commands/run.ts';
import {daemonState, serveInProcess} from '../commands/serve-harness.ts';
import {delay, eventually, pollUntil} from '../helpers/eventually.ts';
import {seededHome} from '../helpers/home.ts';
import {startRig} from '../helpers/rig.ts';

/*
Caps through the doors the command-line tests (test/commands/cap.test.ts) do not use themselves: the admin
API as another client calls it, the control center's `c` key on the real core, and the scheduler of a
running pool with a capped-out account.
*/

test('the admin API sets, refuses and clears caps; the pool applies them at once', async (t) => {
	const h = await startRig({accounts: ['a', 'b']});
	t.after(() => h.close());
	const post = async (name: string, body: unknown) => {
		const answer = await fetch(`${h.url}/api/accounts/${name}/caps`, {
			method: 'POST',
			headers: {'content-type': 'application/json'},
			body: JSON.stringify(body),
		});
		return {
			status: answer.status,
			body: (await answer.json()) as {ok: boolean; message: string; error?: {message: string}},
		};
	};

	const caps = () => h.store.listAccounts().find((account) => account.name === 'a')?.caps;
	const set = await post('a', {fiveHour: 90, weekly: 80});
	assert.equal(set.status, 200);
	assert.match(set.body.message, /^Capped a at 5-hour 90 %, weekly 80 %/);
	assert.deepEqual(caps(), {fiveHour: 90, weekly: 80});
	assert.deepEqual(h.pool.get(h.id('a'))?.record.caps, {fiveHour: 90, weekly: 80}, 'the pool at once');
	assert.deepEqual(
		h.core.getSnapshot().accounts.find((account) => account.name === 'a')?.caps,
		{fiveHour: 90, weekly: 80},
		'the snapshot (/api/state)',
	);

	for (const [body, message] of [
		[{weekly: 120}, /The weekly cap must be a percent from 1 to 100 \(got 120\)/],
		[{fiveHour: '90'}, /The 5-hour cap must be a percent from 1 to 100 \(got "90"\)/],
		// A misspelt window must not read as "no caps" and take the caps off.
		[{five_hour: 90}, /Unknown cap "five_hour": caps are \{"fiveHour": percent, "weekly": percent\}/],
	] as const) {
		const refused = await post('a', body);
		assert.equal(refused.status, 400, JSON.stringify(body));
		assert.match(refused.body.message, message);
		assert.deepEqual(caps(), {fiveHour: 90, weekly: 80}, 'nothing changed');
	}

	const array = await post('a', [90, 80]);
	assert.equal(array.status, 400);
	assert.equal(array.body.error?.message, 'The request body must be a JSON object.');
	assert.deepEqual(caps(), {fiveHour: 90, weekly: 80});
	const nobody = await post('nobody', {weekly: 80});
	assert.equal(nobody.body.ok, false);
	assert.match(nobody.body.message, /nobody/);
	const off = await post('a', {off: true});
	assert.equal(off.status, 200);
	assert.match(off.body.message, /^No caps on a: its windows are used to 100 %\.$/);
	assert.equal(caps(), undefined);
	assert.equal(h.pool.get(h.id('a'))?.record.caps, undefined);
});

test('the control center: c on the real core sets the caps in the store and the pool; the row shows them', async (t) => {
	const h = await startRig({accounts: ['a', 'b']});
	t.after(() => h.close());
	const instance = render(<App core={h.core} clock={systemClock} />);
	t.after(() => {
		instance.unmount();
		cleanup();
	});
	const text = () => stripVTControlCharacters(instance.lastFrame() ?? '');
	await eventually(() => assert.match(text(), /^\W*a\s+plus\s+active/m), 3000);
	for (const key of ['c', '9', '0', '/', '8', '0', '\r']) {
		instance.stdin.write(key);
		await delay(30);
	}

	await eventually(() => {
		assert.deepEqual(h.store.listAccounts().find((account) => account.name === 'a')?.caps, {
			fiveHour: 90,
			weekly: 80,
		});
	}, 3000);
	assert.deepEqual(h.pool.get(h.id('a'))?.record.caps, {fiveHour: 90, weekly: 80});
	await eventually(() => assert.match(text(), /^\W*a\s+plus\s+active cap90\/80/m), 3000);
});

test('a running pool never kicks an account whose weekly window is at its cap, and its plan says so', async (t) => {
	// `v` sorts first by id: the rotation's first tick, at the start, targets it.
	const upstream = await startSimulatedUpstream({accounts: [{name: 'v'}, {name: 's'}]});
	upstream.accounts.setUsedPercent('v', {weekly: 60});
	const {home, store, remove} = seededHome(upstream, {
		scheduler: {enabled: true, dryRun: false, policy: 'rotate-restart', accounts: [], quietHours: undefined},
	});
	const v = store.listAccounts().find((account) => account.name === 'v')!;
	store.setCaps(v.id, {weekly: 50});
	const env = {CODEXPOOL_UPSTREAM: upstream.backendUrl, CODEXPOOL_AUTH_ISSUER: upstream.issuerUrl};
	const daemon = await serveInProcess({home, upstream, env});
	t.after(async () => {
		await daemon.stop();
		await upstream.close();
		remove();
	});
	const reason = 'weekly window at its cap (50%) until it resets';
	const state = await pollUntil(
		async () => daemonState(daemon.url),
		(snapshot) => (snapshot.scheduler.notKicked ?? []).length > 0,
	);
	assert.deepEqual(state.scheduler.notKicked, [{accountId: v.id, reason}]);
	assert.ok(state.scheduler.nextKicks.every((kick) => kick.accountId !== v.id));
	const account = state.accounts.find((entry) => entry.name === 'v')!;
	assert.deepEqual(account.state.kind === 'exhausted' && account.state.cap, {window: 'weekly', percent: 50});
	// Past the first tick and the wait for the first usage reading (5 s): still no request reached v.
	await delay(6000);
	const toV = upstream.log.filter(
		(entry) => entry.path.startsWith('/backend-api/codex/') && entry.account === 'v',
	);
	assert.deepEqual(toV, [], 'no kick reached v');
	const shown = await runCommand(schedulerCommand, ['--home', home], env);
	assert.match(shown.stdout, new RegExp(`^ {2}not kicked: v, ${reason.replace(/[()]/g, '\\$&')}$`, 'm'));
});
