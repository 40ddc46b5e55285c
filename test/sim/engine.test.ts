import assert from 'node:assert/strict';
import {test} from 'node:test';
import {none} from '../../source/core/kicks/none.ts';
import {stagger} from '../../source/core/kicks/stagger.ts';
import type {SimParams} from '../../source/core/sim/model.ts';
import {type Chooser, type PauseRecord, simulateRun} from '../../source/core/sim/run.ts';
import {getStrategy} from '../../source/core/strategies/index.ts';
import {select} from '../../source/core/strategies/select.ts';
import type {AccountView} from '../../source/core/strategies/types.ts';

const HOUR = 3_600_000;
const close = (actual: number, expected: number, message?: string) =>
	assert.ok(Math.abs(actual - expected) < 1e-6, `${message ?? ''} expected ${expected}, got ${actual}`);

/** The first usable account in id order: a tiny local strategy for the engine's own cases. */
const firstUsable: Chooser = (accounts) =>
	accounts.find((account) => (account.fiveHour?.usedPercent ?? 0) < 100 && account.weekly.usedPercent < 100)
		?.id;

const params = (overrides: Partial<SimParams> = {}): SimParams => ({
	accounts: 1,
	days: 2,
	rho: 0.5,
	mean: 0.02,
	scenario: 'flat',
	movement: false,
	...overrides,
});

test('one account, one session larger than the 5-hour quota: one pause, from exhaustion to the reset', () => {
	// 0.2 at 0.06/h: the 0.12 five-hour quota runs out at 2 h, the window resets at 5 h, the rest takes 4/3 h.
	const pauses: PauseRecord[] = [];
	const result = simulateRun({
		params: params(),
		seed: 1,
		choose: firstUsable,
		kicks: none,
		sessions: [{at: 0, size: 0.2}],
		observePause: (pause) => pauses.push(pause),
	});
	assert.equal(result.interruptions, 1);
	close(result.waitHours, 3, 'wait');
	close(result.p95PauseHours, 3, 'p95');
	close(result.served, 0.2, 'served');
	// The observer sees that pause, with the weekly quota the pool had left when it began (1 − 0.12).
	assert.equal(pauses.length, 1);
	close(pauses[0]!.startedAt, 2, 'pause start');
	close(pauses[0]!.hours, 3, 'pause length');
	close(pauses[0]!.poolWeeklyLeft, 0.88, 'weekly left');
});

test('a session that ends exactly when its account runs out is not interrupted', () => {
	const result = simulateRun({
		params: params(),
		seed: 1,
		choose: firstUsable,
		kicks: none,
		sessions: [{at: 0, size: 0.12}],
	});
	assert.equal(result.interruptions, 0);
});

test('windows start only on the first charge, not at time 0', () => {
	const seen: (number | undefined)[] = [];
	const watch: Chooser = (accounts, context) => {
		seen.push(accounts[0]!.fiveHour!.resetAt, accounts[0]!.weekly.resetAt);
		return firstUsable(accounts, context);
	};
	simulateRun({
		params: params(),
		seed: 1,
		choose: watch,
		kicks: none,
		sessions: [
			{at: 10, size: 0.01},
			{at: 12, size: 0.01},
		],
	});
	assert.deepEqual(seen, [undefined, undefined, 15 * HOUR, 178 * HOUR]);
});

test('with movement, an exhausted account hands its session over: a move, not an interruption', () => {
	const run = (movement: boolean) =>
		simulateRun({
			params: params({accounts: 2, movement}),
			seed: 1,
			choose: firstUsable,
			kicks: none,
			sessions: [{at: 0, size: 0.2}],
		});
	const moved = run(true);
	assert.equal(moved.interruptions, 0);
	assert.equal(moved.moves, 1);
	assert.equal(moved.waitHours, 0);
	const stayed = run(false);
	assert.equal(stayed.interruptions, 1);
	assert.equal(stayed.moves, 0);
});

test('stagger kicks start account j mod N at j · 5 h / N, and again on the tick of its reset', () => {
	let views: readonly AccountView[] = [];
	const watch: Chooser = (accounts, context) => {
		views = accounts.map((account) => ({
			...account,
			fiveHour: {...account.fiveHour!},
			weekly: {...account.weekly},
		}));
		return firstUsable(accounts, context);
	};
	simulateRun({
		params: params({accounts: 7}),
		seed: 1,
		choose: watch,
		kicks: stagger,
		sessions: [{at: 5.1, size: 0.001}],
	});
	const step = 5 / 7;
	// Tick 7 falls at 5 h, the very instant account 1's window resets: the kick sees it idle and restarts it.
	close(views[0]!.fiveHour!.resetAt! / HOUR, 10, 'a1 five-hour');
	for (let j = 1; j < 7; j++) {
		close(views[j]!.fiveHour!.resetAt! / HOUR, 5 + j * step, `a${j + 1} five-hour`);
		close(views[j]!.weekly.resetAt! / HOUR, 168 + j * step, `a${j + 1} weekly`);
		assert.ok(views[j]!.weekly.usedPercent > 0, 'a kick charges the account');
	}

	close(views[0]!.weekly.resetAt! / HOUR, 168, 'a1 weekly');
	assert.ok(
		views.every((view) => view.lastPickedAt === undefined || view.id === 'a1'),
		'kicks are not picks',
	);
});

test('a pause still open at the horizon counts, cut at the horizon', () => {
	// 2 weekly quotas on one account over one day: runs 2 h, then waits for the 5-hour reset... which
	// restarts it; the second 0.12 runs out at 7 h, and so on. Without movement, the pauses are [2,5), [7,10), ...
	const result = simulateRun({
		params: params({days: 1}),
		seed: 1,
		choose: firstUsable,
		kicks: none,
		sessions: [{at: 0, size: 2}],
	});
	// Windows: work 0-2, 5-7, 10-12, 15-17, 20-22; pauses 2-5, 7-10, 12-15, 17-20, 22-24 (cut).
	assert.equal(result.interruptions, 5);
	close(result.waitHours, 3 * 4 + 2);
	close(result.served, 0.6);
});

test('wasted quota: what is left at a weekly reset inside the horizon, over the capacity', () => {
	const result = simulateRun({
		params: params({days: 8}),
		seed: 1,
		choose: firstUsable,
		kicks: none,
		sessions: [{at: 0, size: 0.1}],
	});
	close(result.wastedShare, 0.9 / ((1 * 8 * 24) / 168));
});

test('a strategy answering none leaves a new session queued until an account recovers', () => {
	// Two sessions fill the only account; the third arrives while it is exhausted and waits for the reset.
	const result = simulateRun({
		params: params({movement: true}),
		seed: 1,
		choose: firstUsable,
		kicks: none,
		sessions: [
			{at: 0, size: 0.12},
			{at: 3, size: 0.01},
		],
	});
	// The first session ends exactly at 2 h with the account empty; the second arrives at 3 h and waits until 5 h.
	assert.equal(result.interruptions, 1);
	close(result.waitHours, 2);
});

test('the same seed gives the same numbers; another seed, other numbers', () => {
	const strategy = getStrategy('capacity-weighted');
	const run = (seed: number) =>
		simulateRun({
			params: params({accounts: 3, days: 14, rho: 1.1, mean: 0.02, movement: true}),
			seed,
			choose: (accounts, context) => select(strategy, accounts, context),
			kicks: stagger,
		});
	assert.deepEqual(run(3), run(3));
	assert.notDeepEqual(run(3), run(4));
	assert.ok(run(3).sessions > 100);
});

test('every strategy sees the same sessions for a seed', () => {
	const sessions = (name: string) => {
		const strategy = getStrategy(name);
		return simulateRun({
			params: params({accounts: 3, days: 7, rho: 0.9}),
			seed: 5,
			choose: (accounts, context) => select(strategy, accounts, context),
			kicks: none,
		}).sessions;
	};
	assert.equal(sessions('random'), sessions('fill-first'));
});
