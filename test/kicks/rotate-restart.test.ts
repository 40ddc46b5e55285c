import assert from 'node:assert/strict';
import {test} from 'node:test';
import {rotateRestart} from '../../source/core/kicks/rotate-restart.ts';
import {noMarks} from '../../source/core/model.ts';
import type {AccountView} from '../../source/core/strategies/types.ts';

const FIVE_HOURS = 5 * 3_600_000;
const WEEK = 168 * 3_600_000;
const STEP = FIVE_HOURS / 7;
const options = {toleranceMs: 1};

function account(
	index: number,
	windows: {fiveHourResetAt?: number; weeklyResetAt?: number; weeklyUsed?: number} = {},
): AccountView {
	return {
		id: `a${index + 1}`,
		plan: 'plus',
		fiveHour: {
			usedPercent: windows.fiveHourResetAt ? 5 : 0,
			resetAt: windows.fiveHourResetAt,
			lengthMs: FIVE_HOURS,
		},
		weekly: {
			usedPercent: windows.weeklyUsed ?? (windows.weeklyResetAt ? 5 : 0),
			resetAt: windows.weeklyResetAt,
			lengthMs: WEEK,
		},
		running: 0,
		lastPickedAt: undefined,
		marks: noMarks,
		coolingUntil: undefined,
		needsLogin: false,
	};
}

const due = (accounts: readonly AccountView[], now: number) =>
	rotateRestart
		.plan(accounts, now, options)
		.filter((kick) => kick.at <= now)
		.map((kick) => kick.accountId);

test('rotate-restart kicks on the stagger rotation: tick j, account j mod N, if its five-hour window is idle', () => {
	const pool = Array.from({length: 7}, (_, index) => account(index));
	assert.deepEqual(due(pool, 0), ['a1']);
	assert.deepEqual(due(pool, 4 * STEP), ['a5']);
	const busy = pool.map((each, index) =>
		index === 4 ? account(4, {fiveHourResetAt: 5 * STEP, weeklyResetAt: WEEK}) : each,
	);
	assert.deepEqual(due(busy, 4 * STEP), []);
	const spent = pool.map((each, index) =>
		index === 4 ? account(4, {weeklyResetAt: WEEK, weeklyUsed: 100}) : each,
	);
	assert.deepEqual(due(spent, 4 * STEP), []);
});

test('rotate-restart also wakes at every weekly reset and restarts the accounts left wholly idle', () => {
	const resetAt = 200.3 * 3_600_000;
	const pool = Array.from({length: 7}, (_, index) =>
		index === 2
			? account(2, {weeklyResetAt: resetAt, fiveHourResetAt: 199 * 3_600_000})
			: account(index, {weeklyResetAt: 300 * 3_600_000, fiveHourResetAt: 199 * 3_600_000}),
	);
	// From 200.05 h the next check is the weekly reset at 200.3 h, before the next tick (at 200.71 h).
	assert.equal(rotateRestart.nextCheck(pool, 200.05 * 3_600_000, options), resetAt);
	// At that moment a3's windows have both reset (idle) and nothing runs there: kicked at once.
	const after = pool.map((each, index) => (index === 2 ? account(2) : each));
	assert.deepEqual(due(after, resetAt), ['a3']);
});

test('the forecast lists the coming rotation kicks in time order', () => {
	const pool = Array.from({length: 7}, (_, index) => account(index));
	const forecast = rotateRestart.plan(pool, 0, options);
	assert.equal(forecast[0]?.at, 0);
	assert.ok(forecast.every((kick, index) => index === 0 || kick.at >= forecast[index - 1]!.at));
	assert.equal(forecast.length, 8);
});
