import assert from 'node:assert/strict';
import {test} from 'node:test';
import {createManualClock, HOUR, MINUTE} from '../../source/core/clock.ts';
import {rotateRestart} from '../../source/core/kicks/rotate-restart.ts';
import {stagger} from '../../source/core/kicks/stagger.ts';
import {noMarks} from '../../source/core/model.ts';
import {createRandom} from '../../source/core/random.ts';
import {isQuiet, QuietHoursError} from '../../source/core/scheduler/quiet-hours.ts';
import {createScheduler} from '../../source/core/scheduler/scheduler.ts';
import type {
	KickOutcome,
	KickPolicy,
	SchedulerEvent,
	SchedulerIntervals,
} from '../../source/core/scheduler/types.ts';
import type {SchedulerSettings} from '../../source/core/store/types.ts';
import {createFakePool} from './helpers/fake-pool.ts';
import {createManualTimers} from './helpers/manual-timers.ts';
import {spacingDeviation} from './helpers/spacing.ts';

const on: SchedulerSettings = {
	enabled: true,
	dryRun: false,
	policy: 'stagger',
	accounts: [],
	quietHours: undefined,
};
const start = new Date(2026, 0, 5, 12, 0).getTime();
const ids = (n: number) => Array.from({length: n}, (_, i) => `acct-${String(i).padStart(2, '0')}`);

function setup(
	n: number,
	settings: SchedulerSettings = on,
	policies: KickPolicy[] = [stagger],
	intervals: Partial<SchedulerIntervals> = {},
	makeSendKick?: (pool: ReturnType<typeof createFakePool>) => (accountId: string) => Promise<KickOutcome>,
) {
	const clock = createManualClock(start);
	const manual = createManualTimers(clock);
	const pool = createFakePool(clock, ids(n));
	const events: SchedulerEvent[] = [];
	const scheduler = createScheduler({
		clock,
		getAccounts: pool.accounts,
		policies,
		settings,
		sendKick: makeSendKick ? makeSendKick(pool) : pool.sendKick,
		onEvent: (event) => events.push(event),
		timers: manual.timers,
		intervals,
	});
	const run = (ms: number) => manual.runUntil(clock.now() + ms, scheduler.whenIdle);
	return {clock, manual, pool, events, scheduler, run};
}

for (const policy of [stagger, rotateRestart]) {
	for (const n of [3, 7]) {
		test(`${policy.name}: after one plan cycle the 5-hour resets of ${n} idle accounts are spaced 5 h / ${n} apart`, async () => {
			// Waking every minute besides the policy's own checks must change nothing.
			const {pool, scheduler, run} = setup(n, {...on, policy: policy.name}, [policy], {replanMs: MINUTE});
			await run(5 * HOUR - 1);
			await scheduler.stop();
			assert.equal(pool.kicks.length, n, 'each account kicked once');
			const resets = ids(n).map((id) => pool.state(id).five.resetAt!);
			const {largestMs, gapsMs} = spacingDeviation(resets);
			console.log(
				`N=${n} (${policy.name}, manual timers): ideal ${((5 * 60) / n).toFixed(1)} min, gaps ${gapsMs.map((g) => (g / MINUTE).toFixed(1)).join(', ')} min, largest deviation ${(largestMs / 1000).toFixed(1)} s`,
			);
			assert.ok(largestMs < MINUTE);
		});
	}
}

test('rotate-restart (asked for by its former name, ours) restarts an account whose weekly window resets with nothing running, at that moment', async () => {
	const {pool, scheduler, run} = setup(3, {...on, policy: 'ours'}, [rotateRestart]);
	await run(5 * HOUR - 1);
	// The last account (kicked at 3 h 20) spends its weekly quota; the week resets at 9 h, after its 5-hour
	// window (8 h 20), so its rotation tick at 8 h 20 finds no quota and the weekly reset restarts it.
	const last = ids(3)[2]!;
	pool.state(last).weekly.resetAt = start + 9 * HOUR;
	pool.state(last).weekly.used = 100;
	scheduler.replan();
	await run(5 * HOUR);
	await scheduler.stop();
	assert.deepEqual(
		pool.kicks.filter((kick) => kick.accountId === last).map((kick) => (kick.at - start) / MINUTE),
		[200, 540],
	);
});

test('the plan shows the next kick of every account with its reason, even while kicks are off', async () => {
	const {scheduler, pool, run} = setup(3, {...on, enabled: false});
	const plan = scheduler.getPlan();
	assert.equal(plan.enabled, false);
	assert.deepEqual(
		plan.nextKicks.map((kick) => kick.accountId),
		ids(3),
	);
	assert.match(plan.nextKicks[1]!.reason, /stagger tick 1/);
	assert.equal(plan.nextKicks[0]!.at, start);
	assert.equal(plan.nextKicks[1]!.at, start + 100 * MINUTE);
	await run(10 * HOUR);
	assert.equal(pool.kicks.length, 0, 'nothing is kicked while the scheduler is off');
	await scheduler.stop();
});

test('nothing is kicked that must not be: drained, evicted, needs login, active window, cooling, weekly spent, outside the filter', async () => {
	const {pool, scheduler, events, run} = setup(8, {...on, accounts: ids(8).slice(0, 7)});
	const [, drained, evicted, login, active, cooling, weeklyOut] = ids(8);
	pool.set(drained!, {marks: {...noMarks, drained: true}});
	pool.set(evicted!, {marks: {...noMarks, evicted: true}});
	pool.set(login!, {needsLogin: true});
	pool.charge(active!, 5);
	pool.set(cooling!, {coolingUntil: start + 30 * HOUR});
	pool.charge(weeklyOut!, 0);
	pool.state(weeklyOut!).weekly.used = 100;
	pool.state(weeklyOut!).five.resetAt = undefined;
	scheduler.replan();
	await run(5 * HOUR);
	const kicked = new Set(pool.kicks.map((kick) => kick.accountId));
	assert.deepEqual([...kicked], [ids(7)[0]]);
	assert.ok(
		pool.kicks.every((kick) => kick.accountId !== ids(7)[6]),
		'outside the filter',
	);
	await scheduler.stop();
	assert.ok(events.some((event) => event.type === 'kick'));
});

test('state is checked again at the moment of the kick, not only when planning', async () => {
	const {pool, scheduler, events, run} = setup(3);
	const first = ids(3)[0]!;
	// Due now but cooling down for two more minutes: the kick waits, and shows in the plan meanwhile.
	pool.set(first, {coolingUntil: start + 2 * MINUTE});
	scheduler.replan();
	await run(MINUTE);
	assert.deepEqual(
		scheduler.getPlan().nextKicks.find((kick) => kick.accountId === first),
		{
			accountId: first,
			at: start + 2 * MINUTE,
			reason: 'stagger tick 0 (waits out: cooling down after an error)',
		},
	);
	// Drained while it waits: the kick must notice.
	pool.set(first, {coolingUntil: start + 2 * MINUTE, marks: {...noMarks, drained: true}});
	await run(5 * HOUR);
	assert.ok(!pool.kicks.some((kick) => kick.accountId === first));
	assert.ok(
		events.some(
			(event) => event.type === 'skip' && event.accountId === first && /drained/.test(event.reason),
		),
	);
	await scheduler.stop();
});

test('a dry run plans and logs every kick but sends nothing', async () => {
	const {pool, scheduler, events, run} = setup(4, {...on, dryRun: true});
	await run(10 * HOUR);
	await scheduler.stop();
	assert.equal(pool.kicks.length, 0);
	const kicks = events.flatMap((event) => (event.type === 'kick' ? [event.kick] : []));
	assert.ok(kicks.length >= 4);
	assert.ok(kicks.every((kick) => kick.dryRun && /nothing sent/.test(kick.detail)));
	// It remembers its pretend kicks: still at most one per account and window.
	for (const id of ids(4)) {
		const times = kicks.filter((kick) => kick.accountId === id).map((kick) => kick.at);
		for (const [i, at] of times.slice(1).entries()) {
			assert.ok(at - times[i]! >= 5 * HOUR);
		}
	}
});

test('the rotation goes on after the first cycle: each account is kicked again as its window resets', async () => {
	const {pool, scheduler, run} = setup(3);
	await run(15 * HOUR - 1);
	await scheduler.stop();
	for (const id of ids(3)) {
		const times = pool.kicks.filter((kick) => kick.accountId === id).map((kick) => kick.at);
		assert.equal(times.length, 3, `${id} kicked at ${times.map((t) => (t - start) / MINUTE)}`);
	}
});

test('at most one kick per window, even when the state has not caught up with the kick', async () => {
	// A policy that wants every account kicked right now, and a pool whose state never shows the kicks.
	const eager: KickPolicy = {
		name: 'eager',
		description: 'kicks everything at every check',
		plan: (accounts, now) => accounts.map((account) => ({accountId: account.id, at: now, reason: 'eager'})),
		nextCheck: (_, now) => now + MINUTE,
	};
	const {pool, scheduler, run} = setup(
		2,
		{...on, policy: 'eager'},
		[eager],
		{},
		(pool) => async (accountId) => {
			const outcome = await pool.sendKick(accountId);
			pool.state(accountId).five.resetAt = undefined;
			pool.state(accountId).five.used = 0;
			return outcome;
		},
	);
	await run(12 * HOUR);
	await scheduler.stop();
	for (const id of ids(2)) {
		const times = pool.kicks.filter((kick) => kick.accountId === id).map((kick) => kick.at - start);
		assert.deepEqual(times, [0, 5 * HOUR, 10 * HOUR]);
	}
});

test('a kick that meets a window a few seconds from its reset waits for the reset instead of skipping it', async () => {
	// The upstream stamps the window a couple of seconds after our kick (latency), so in steady state the
	// next tick lands just before the reset.
	const {pool, scheduler, run} = setup(3, on, [stagger], {}, (pool) => async (accountId) => {
		const outcome = await pool.sendKick(accountId);
		pool.state(accountId).five.resetAt! += 2000;
		return outcome;
	});
	await run(15 * HOUR - 1);
	await scheduler.stop();
	const first = pool.kicks.filter((kick) => kick.accountId === ids(3)[0]).map((kick) => kick.at - start);
	assert.deepEqual(first, [0, 5 * HOUR + 3000, 10 * HOUR + 6000]);
});

test('quiet hours hold: no kick between start and end (over midnight), the rotation resumes after', async () => {
	const quietHours = {start: '22:00', end: '07:00'};
	const {pool, scheduler, events, run} = setup(3, {...on, quietHours});
	// start is 12:00 local; run two days.
	await run(48 * HOUR);
	await scheduler.stop();
	assert.ok(pool.kicks.length > 6, `${pool.kicks.length} kicks`);
	for (const kick of pool.kicks) {
		assert.equal(isQuiet(quietHours, kick.at), false, `kick at ${new Date(kick.at).toString()}`);
	}

	assert.ok(
		events.some(
			(event) =>
				event.type === 'plan' && event.plan.nextKicks.some((k) => /after quiet hours/.test(k.reason)),
		),
	);
	const morning = pool.kicks.filter((kick) => new Date(kick.at).getHours() === 7);
	assert.ok(morning.length <= 1, 'skipped kicks do not pile up at the end of the quiet hours');
});

test('usage polling runs about every 60 s with jitter, never two at once; the refresh guard every 5 min', async () => {
	const clock = createManualClock(start);
	const manual = createManualTimers(clock);
	const pool = createFakePool(clock, ids(2));
	const polls: number[] = [];
	let guards = 0;
	let running = 0;
	let overlapped = false;
	const events: SchedulerEvent[] = [];
	const scheduler = createScheduler({
		clock,
		getAccounts: pool.accounts,
		policies: [stagger],
		settings: {...on, enabled: false},
		sendKick: pool.sendKick,
		pollUsage: async () => {
			polls.push(clock.now());
			running++;
			overlapped ||= running > 1;
			// Every tenth poll hangs past the next one's time and then fails.
			const slow = polls.length % 10 === 0;
			await (slow ? manual.waitUntil(clock.now() + 90_000) : Promise.resolve());
			running--;
			if (slow) {
				throw new Error('usage endpoint timed out');
			}
		},
		refreshGuard: async () => {
			guards++;
		},
		onEvent: (event) => events.push(event),
		timers: manual.timers,
		random: createRandom(3),
	});
	// Not whenIdle: a hanging poll waits for the manual clock itself. A macrotask lets finished jobs settle.
	await manual.runUntil(start + HOUR, () => new Promise((resolve) => setImmediate(resolve)));
	await scheduler.stop();
	const gaps = polls.slice(1).map((at, i) => at - polls[i]!);
	assert.ok(polls.length >= 50 && polls.length <= 62, `${polls.length} polls`);
	assert.ok(
		gaps.every((gap) => gap >= 54_000),
		'never closer than 60 s - 10%',
	);
	assert.ok(new Set(gaps).size > 5, 'jittered');
	assert.equal(overlapped, false);
	assert.equal(guards, 12);
	assert.ok(
		events.some((event) => event.type === 'error' && event.job === 'poll' && /timed out/.test(event.message)),
	);
});

test('stop clears every timer', async () => {
	const clock = createManualClock(start);
	const manual = createManualTimers(clock);
	const pool = createFakePool(clock, ids(3));
	const scheduler = createScheduler({
		clock,
		getAccounts: pool.accounts,
		policies: [stagger],
		settings: on,
		sendKick: pool.sendKick,
		pollUsage: async () => {},
		refreshGuard: async () => {},
		onEvent: () => {},
		timers: manual.timers,
	});
	await manual.runUntil(start + 3 * HOUR, scheduler.whenIdle);
	assert.ok(manual.pending() >= 3);
	await scheduler.stop();
	assert.equal(manual.pending(), 0);
	const kicks = pool.kicks.length;
	await manual.runUntil(start + 30 * HOUR, scheduler.whenIdle);
	assert.equal(pool.kicks.length, kicks);
});

test('turning the scheduler on starts kicking at the next tick; a bad policy name or quiet hours is refused', async () => {
	const {pool, scheduler, events, run} = setup(3, {...on, enabled: false});
	await run(10 * MINUTE);
	assert.equal(pool.kicks.length, 0);
	scheduler.updateSettings({...on, enabled: true});
	await run(100 * MINUTE);
	assert.deepEqual(
		pool.kicks.map((kick) => [kick.accountId, kick.at - start]),
		[[ids(3)[1], 100 * MINUTE]],
	);
	assert.throws(
		() => scheduler.updateSettings({...on, quietHours: {start: '25:00', end: '07:00'}}),
		QuietHoursError,
	);
	scheduler.updateSettings({...on, policy: 'nonsense'});
	assert.deepEqual(scheduler.getPlan().nextKicks, []);
	assert.ok(
		events.some((event) => event.type === 'error' && /Unknown kick policy "nonsense"/.test(event.message)),
	);
	await scheduler.stop();
});

test('a failed kick is reported and retried after a pause, not at once', async () => {
	const eager: KickPolicy = {
		name: 'eager',
		description: 'kicks everything at every check',
		plan: (accounts, now) => accounts.map((account) => ({accountId: account.id, at: now, reason: 'eager'})),
		nextCheck: (_, now) => now + MINUTE,
	};
	let calls = 0;
	const {pool, scheduler, events, run} = setup(
		1,
		{...on, policy: 'eager'},
		[eager],
		{},
		(pool) => async (accountId) => {
			calls++;
			if (calls === 1) {
				throw new Error('socket hang up');
			}

			return pool.sendKick(accountId);
		},
	);
	await run(HOUR);
	await scheduler.stop();
	const kicks = events.flatMap((event) => (event.type === 'kick' ? [event.kick] : []));
	assert.equal(kicks[0]?.ok, false);
	assert.match(kicks[0]!.detail, /socket hang up/);
	assert.equal(calls, 2);
	assert.deepEqual(
		pool.kicks.map((kick) => kick.at - start),
		[10 * MINUTE],
	);
});

test('bad quiet hours saved earlier keep kicks off and say why, without stopping the start', async () => {
	const {pool, scheduler, events, run} = setup(3, {...on, quietHours: {start: '22h', end: '07:00'}});
	await run(5 * HOUR);
	await scheduler.stop();
	assert.equal(pool.kicks.length, 0);
	assert.equal(scheduler.getPlan().enabled, false);
	assert.ok(events.some((event) => event.type === 'error' && /HH:MM.*Kicks are off/.test(event.message)));
});
