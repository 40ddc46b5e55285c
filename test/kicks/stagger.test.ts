import assert from 'node:assert/strict';
import {test} from 'node:test';
import {getKickPolicy, kickPolicyNames} from '../../source/core/kicks/index.ts';
import {none} from '../../source/core/kicks/none.ts';
import {stagger} from '../../source/core/kicks/stagger.ts';
import {noMarks} from '../../source/core/model.ts';
import type {AccountView} from '../../source/core/strategies/types.ts';

const FIVE_HOURS = 5 * 3_600_000;
const WEEK = 168 * 3_600_000;
const STEP = FIVE_HOURS / 7;

function account(
	index: number,
	changes: {fiveHourResetAt?: number; weeklyUsed?: number; weeklyResetAt?: number} = {},
): AccountView {
	return {
		id: `a${index + 1}`,
		plan: 'plus',
		fiveHour: {
			usedPercent: changes.fiveHourResetAt ? 10 : 0,
			resetAt: changes.fiveHourResetAt,
			lengthMs: FIVE_HOURS,
		},
		weekly: {usedPercent: changes.weeklyUsed ?? 0, resetAt: changes.weeklyResetAt, lengthMs: WEEK},
		running: 0,
		lastPickedAt: undefined,
		marks: noMarks,
		coolingUntil: undefined,
		needsLogin: false,
	};
}

const pool = (changes: Record<number, Parameters<typeof account>[1]> = {}) =>
	Array.from({length: 7}, (_, index) => account(index, changes[index]));

const due = (accounts: readonly AccountView[], now: number) =>
	stagger.plan(accounts, now, {toleranceMs: 1}).filter((kick) => kick.at <= now);

test('stagger: tick j at j · 5 h / N kicks account j mod N when its 5-hour window is idle', () => {
	assert.deepEqual(
		due(pool(), 0).map((kick) => kick.accountId),
		['a1'],
	);
	assert.deepEqual(
		due(pool(), 3 * STEP).map((kick) => kick.accountId),
		['a4'],
	);
	// Tick 9 targets account 9 mod 7 = 2 (a3).
	assert.deepEqual(
		due(pool(), 9 * STEP).map((kick) => kick.accountId),
		['a3'],
	);
	// Between ticks nothing is due.
	assert.deepEqual(due(pool(), 3.5 * STEP), []);
});

test('stagger: no kick for an account whose 5-hour window runs or whose weekly quota is spent', () => {
	assert.deepEqual(due(pool({3: {fiveHourResetAt: 4 * STEP}}), 3 * STEP), []);
	assert.deepEqual(due(pool({3: {weeklyUsed: 100, weeklyResetAt: WEEK}}), 3 * STEP), []);
});

test('stagger: the next check is the next tick; the forecast covers one rotation', () => {
	assert.equal(stagger.nextCheck(pool(), 0, {toleranceMs: 1}), STEP);
	assert.equal(stagger.nextCheck(pool(), 2.5 * STEP, {toleranceMs: 1}), 3 * STEP);
	const forecast = stagger.plan(pool(), 0, {toleranceMs: 1}).filter((kick) => kick.at > 0);
	assert.equal(forecast.length, 7);
	assert.deepEqual(
		forecast.map((kick) => kick.accountId),
		['a2', 'a3', 'a4', 'a5', 'a6', 'a7', 'a1'],
	);
	// A window that resets before its tick is forecast idle by then.
	const later = stagger.plan(pool({1: {fiveHourResetAt: 0.5 * STEP}}), 0, {toleranceMs: 1});
	assert.ok(later.some((kick) => kick.accountId === 'a2'));
});

test('none never kicks; the registry knows none, stagger and rotate-restart (ours is its former name)', () => {
	assert.deepEqual(none.plan(pool(), 0), []);
	assert.equal(none.nextCheck(pool(), 0), Number.POSITIVE_INFINITY);
	assert.deepEqual(kickPolicyNames, ['none', 'stagger', 'rotate-restart']);
	assert.equal(getKickPolicy('ours'), getKickPolicy('rotate-restart'));
	assert.throws(() => getKickPolicy('sometimes'), /Valid policies: none, stagger, rotate-restart/);
});
