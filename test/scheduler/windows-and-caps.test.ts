import assert from 'node:assert/strict';
import {test} from 'node:test';
import {createManualClock, HOUR} from '../../source/core/clock.ts';
import {rotateRestart} from '../../source/core/kicks/rotate-restart.ts';
import {stagger} from '../../source/core/kicks/stagger.ts';
import {USAGE_WAIT_MS} from '../../source/core/scheduler/eligibility.ts';
import {createScheduler} from '../../source/core/scheduler/scheduler.ts';
import type {SchedulerSettings} from '../../source/core/store/types.ts';
import {createFakePool} from './helpers/fake-pool.ts';
import {createManualTimers} from './helpers/manual-timers.ts';

const start = new Date(2026, 6, 20, 12, 0).getTime();
const ids = ['a1', 'a2', 'a3'];

for (const policy of [stagger, rotateRestart]) {
	test(`${policy.name}: an account without a 5-hour window is never kicked, and the plan says why; a capped-out one neither`, async () => {
		const settings: SchedulerSettings = {
			enabled: true,
			dryRun: false,
			policy: policy.name,
			accounts: [],
			quietHours: undefined,
		};
		const clock = createManualClock(start);
		const manual = createManualTimers(clock);
		const pool = createFakePool(clock, ids);
		// a2 is weekly-only (its 5-hour window vanished); a3's weekly window is at its 50% cap.
		pool.set('a2', {fiveHour: undefined});
		pool.charge('a3', 0);
		pool.state('a3').five.resetAt = undefined;
		pool.state('a3').weekly.used = 50;
		pool.set('a3', {caps: {weekly: 50}});
		const scheduler = createScheduler({
			clock,
			getAccounts: pool.accounts,
			policies: [policy],
			settings,
			sendKick: pool.sendKick,
			onEvent: () => {},
			timers: manual.timers,
			intervals: {},
		});
		await manual.runUntil(start + 12 * HOUR, scheduler.whenIdle);
		const plan = scheduler.getPlan();
		await scheduler.stop();
		assert.deepEqual([...new Set(pool.kicks.map((kick) => kick.accountId))], ['a1']);
		assert.ok(plan.nextKicks.every((kick) => kick.accountId === 'a1'));
		assert.deepEqual(plan.notKicked, [
			{accountId: 'a2', reason: 'no 5-hour window: a kick cannot stagger what does not exist'},
			{accountId: 'a3', reason: 'weekly window at its cap (50%) until it resets'},
		]);
	});
}

test('a kick due before the account’s usage is first read waits for the reading, then goes out; no reading, no kick', async () => {
	const settings: SchedulerSettings = {
		enabled: true,
		dryRun: false,
		policy: 'stagger',
		accounts: [],
		quietHours: undefined,
	};
	const run = async (readingAfterMs: number | undefined) => {
		const clock = createManualClock(start);
		const manual = createManualTimers(clock);
		const pool = createFakePool(clock, ids);
		// a1 is tick 0's account; its usage is not read yet (its windows could be anything, or absent).
		pool.set('a1', {usageKnown: false});
		const scheduler = createScheduler({
			clock,
			getAccounts: pool.accounts,
			policies: [stagger],
			settings,
			sendKick: pool.sendKick,
			onEvent: () => {},
			timers: manual.timers,
			intervals: {},
		});
		if (readingAfterMs !== undefined) {
			await manual.runUntil(start + readingAfterMs, scheduler.whenIdle);
			assert.deepEqual(pool.kicks, [], 'nothing before the reading');
			pool.set('a1', {});
		}

		await manual.runUntil(start + 60_000, scheduler.whenIdle);
		await scheduler.stop();
		return pool.kicks;
	};

	assert.deepEqual(await run(2000), [{accountId: 'a1', at: start + USAGE_WAIT_MS}]);
	assert.deepEqual(await run(undefined), [], 'never read: given up, never sent blind');
});
