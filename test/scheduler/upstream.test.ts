import assert from 'node:assert/strict';
import {test} from 'node:test';
import {setTimeout as delay} from 'node:timers/promises';
import {createScaledClock, HOUR, MINUTE} from '../../source/core/clock.ts';
import {stagger} from '../../source/core/kicks/stagger.ts';
import {noMarks} from '../../source/core/model.ts';
import {createKickSender} from '../../source/core/scheduler/kick-request.ts';
import {createScheduler} from '../../source/core/scheduler/scheduler.ts';
import {createCronTimers} from '../../source/core/scheduler/timers.ts';
import type {SchedulerEvent} from '../../source/core/scheduler/types.ts';
import {startSimulatedUpstream} from '../../source/core/simulated-backend/index.ts';
import {spacingDeviation} from './helpers/spacing.ts';
import {upstreamAccounts} from './helpers/upstream-views.ts';

const SPEED = 3600;

/*
The whole path on real cron timers and a 3600× clock: the scheduler plans with the stagger policy, the kick
sender sends real requests to the simulated upstream, whose windows start on first use. One plan cycle
(5 h of clock time) takes 5 real seconds; N = 3 and N = 7 run side by side. Each pool also holds accounts
that must never be kicked: drained, evicted, needing a login, outside the filter (weekly-out, and
unlisted, which is kicked once before the scheduler starts, to warm up the HTTP path).
*/
async function runPool(n: number) {
	const clock = createScaledClock(SPEED);
	const names = Array.from({length: n}, (_, i) => `idle-${i}`);
	const forbidden = ['drained', 'evicted', 'login', 'weekly-out', 'unlisted'];
	const upstream = await startSimulatedUpstream({
		clock,
		accounts: [...names, ...forbidden].map((name) => ({name})),
	});
	upstream.accounts.exhaust('weekly-out', 'weekly');
	const id = (name: string) => upstream.accounts.get(name).accountId;
	const overrides = {
		drained: {marks: {...noMarks, drained: true}},
		evicted: {marks: {...noMarks, evicted: true}},
		login: {needsLogin: true},
	};
	const sendKick = createKickSender({
		backendUrl: upstream.backendUrl,
		getAccessToken: async (accountId) =>
			upstream.accounts.list().find((account) => account.accountId === accountId)!.tokens.accessToken,
		clock,
	});
	// A first request costs a few hundred real ms (connections, compiling the upstream's handlers): minutes
	// of clock time at 3600×. Spend it on an account outside the test before the scheduler starts.
	await sendKick(id('unlisted'));
	upstream.clearLog();
	// The first cron job loads luxon's time zones (~70 real ms, 4 clock minutes): pay that here too.
	createCronTimers(clock).at(clock.now() + HOUR, () => {}, 'warm-up')();
	const events: SchedulerEvent[] = [];
	const start = () =>
		createScheduler({
			clock,
			getAccounts: () => upstreamAccounts(upstream, overrides),
			policies: [stagger],
			settings: {
				enabled: true,
				dryRun: false,
				policy: 'stagger',
				accounts: [...names, 'drained', 'evicted', 'login'].map(id),
				quietHours: undefined,
			},
			sendKick,
			onEvent: (event) => events.push(event),
		});
	return {clock, upstream, start, events, names, forbidden, id};
}

test('on the simulated upstream with real cron timers, one plan cycle spaces the 5-hour resets 5 h / N apart', async (t) => {
	// Both pools are set up and warmed before either scheduler starts, so neither's start slows the other.
	const pools = [await runPool(3), await runPool(7)];
	const schedulers = pools.map((pool) => pool.start());
	t.after(async () => {
		for (const [index, pool] of pools.entries()) {
			await schedulers[index]!.stop();
			await pool.upstream.close();
		}
	});
	// Just short of one cycle: every account kicked once, the first window not yet reset.
	const startedAt = pools[0]!.clock.now();
	while (pools[0]!.clock.now() - startedAt < 4.8 * HOUR) {
		await delay(50);
	}

	for (const {upstream, names, forbidden, id, events} of pools) {
		const n = names.length;
		const resets = names.map((name) => {
			const five = upstream.accounts.quota(name).fiveHour!;
			assert.equal(five.isIdle, false, `${name} was kicked`);
			return five.resetAt * 1000;
		});
		const {largestMs, gapsMs} = spacingDeviation(resets);
		console.log(
			`N=${n} (cron timers, ${SPEED}× clock, simulated upstream): ideal ${((5 * 60) / n).toFixed(1)} min, gaps ${gapsMs.map((g) => (g / MINUTE).toFixed(1)).join(', ')} min, largest deviation ${(largestMs / 1000).toFixed(0)} s`,
		);
		// Each real ms of timer lag or request latency is 3.6 clock seconds here (more on a busy machine); the
		// manual-timer test asserts the exact spacing. A quarter of the ideal gap still tells spaced from not.
		assert.ok(largestMs < (5 * HOUR) / n / 4, `largest deviation ${largestMs / 1000} s`);
		const kicked = upstream.log.filter((entry) => entry.path.endsWith('/codex/responses'));
		assert.equal(kicked.length, n, 'one kick per idle account, nothing else');
		const forbiddenIds = new Set(forbidden.map(id));
		assert.ok(kicked.every((entry) => !forbiddenIds.has(String(entry.headers['chatgpt-account-id']))));
		assert.ok(
			events.every((event) => event.type !== 'kick' || event.kick.ok),
			'every kick succeeded',
		);
	}
});

test('a dry run on the simulated upstream plans and logs kicks but sends nothing; stop silences it', async (t) => {
	const pool = await runPool(3);
	const scheduler = createScheduler({
		clock: pool.clock,
		getAccounts: () => upstreamAccounts(pool.upstream),
		policies: [stagger],
		settings: {
			enabled: true,
			dryRun: true,
			policy: 'stagger',
			accounts: pool.names.map(pool.id),
			quietHours: undefined,
		},
		sendKick: async () => {
			throw new Error('a dry run must not send');
		},
		onEvent: (event) => pool.events.push(event),
	});
	t.after(() => pool.upstream.close());
	await delay(2000); // 2 clock hours: ticks 0 and 1
	await scheduler.stop();
	const kicks = pool.events.flatMap((event) => (event.type === 'kick' ? [event.kick] : []));
	// The rotation goes in account-id order.
	const [first, second] = pool.names.map(pool.id).sort();
	assert.deepEqual(
		kicks.map((kick) => [kick.accountId, kick.dryRun, kick.ok]),
		[
			[first, true, true],
			[second, true, true],
		],
	);
	assert.equal(pool.upstream.log.filter((entry) => entry.path.endsWith('/codex/responses')).length, 0);
	const seen = pool.events.length;
	await delay(500);
	assert.equal(pool.events.length, seen, 'no timer fires after stop');
});
