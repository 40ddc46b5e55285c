import assert from 'node:assert/strict';
import {test} from 'node:test';
import {noMarks} from '../../source/core/model.ts';
import {
	effectiveQuota,
	effectiveWindow,
	isQuotaUsable,
	remainingFraction,
	toAccountView,
	toWindowView,
	usedPercentOf,
} from '../../source/core/quota/state.ts';
import type {AccountQuota} from '../../source/core/quota/types.ts';

const HOUR = 3_600_000;
const T = 1_700_000_000_000;
const quota: AccountQuota = {
	fiveHour: {kind: 'five-hour', lengthMinutes: 300, usedPercent: 100, resetAt: T + HOUR},
	weekly: {kind: 'weekly', lengthMinutes: 10_080, usedPercent: 60, resetAt: T + 50 * HOUR},
	observedAt: T,
};

test('effective state: before its reset a window is as reported, from its reset on it is idle at 0%', () => {
	assert.equal(effectiveWindow(quota.fiveHour!, T + HOUR - 1), quota.fiveHour);
	assert.deepEqual(effectiveWindow(quota.fiveHour!, T + HOUR), {
		...quota.fiveHour,
		usedPercent: 0,
		resetAt: undefined,
	});
	const later = effectiveQuota(quota, T + 2 * HOUR);
	assert.equal(later.fiveHour?.resetAt, undefined);
	assert.equal(later.weekly?.usedPercent, 60);
});

test('usable: a full window blocks until its reset; cooling and login problems block too', () => {
	assert.equal(isQuotaUsable(quota, T), false);
	assert.equal(isQuotaUsable(quota, T + HOUR), true);
	assert.equal(isQuotaUsable(quota, T + HOUR, {coolingUntil: T + 2 * HOUR}), false);
	assert.equal(isQuotaUsable(quota, T + 3 * HOUR, {coolingUntil: T + 2 * HOUR}), true);
	assert.equal(isQuotaUsable(undefined, T, {needsLogin: true}), false);
	assert.equal(isQuotaUsable(undefined, T), true);
});

test('remaining fraction: reported, after reset, and for a missing window', () => {
	assert.equal(remainingFraction(quota.weekly, T), 0.4);
	assert.equal(remainingFraction(quota.fiveHour, T), 0);
	assert.equal(remainingFraction(quota.fiveHour, T + HOUR), 1);
	assert.equal(remainingFraction(undefined, T), 1);
});

test('window view: missing → idle 0% of the usual length; stale → effective', () => {
	assert.deepEqual(toWindowView(undefined, 'weekly', T), {
		usedPercent: 0,
		resetAt: undefined,
		lengthMs: 168 * HOUR,
	});
	assert.deepEqual(toWindowView(quota.fiveHour, 'five-hour', T), {
		usedPercent: 100,
		resetAt: T + HOUR,
		lengthMs: 5 * HOUR,
	});
	assert.deepEqual(toWindowView(quota.fiveHour, 'five-hour', T + HOUR), {
		usedPercent: 0,
		resetAt: undefined,
		lengthMs: 5 * HOUR,
	});
});

test('account view: a free plan with only a weekly window has no five-hour window (not an idle one)', () => {
	const view = toAccountView(
		{
			id: 'x',
			plan: 'free',
			quota: {...quota, fiveHour: undefined},
			running: 2,
			lastPickedAt: undefined,
			marks: noMarks,
		},
		T,
	);
	assert.equal(view.fiveHour, undefined);
	assert.equal(view.weekly.usedPercent, 60);
	assert.equal(view.running, 2);
	assert.equal(view.needsLogin, false);
	assert.equal(view.coolingUntil, undefined);
});

test('account view: unknown quota shows both windows idle at their usual lengths', () => {
	const view = toAccountView(
		{id: 'x', plan: 'plus', quota: undefined, running: 0, lastPickedAt: undefined, marks: noMarks},
		T,
	);
	assert.deepEqual(view.fiveHour, {usedPercent: 0, resetAt: undefined, lengthMs: 5 * HOUR});
	assert.equal(view.weekly.lengthMs, 168 * HOUR);
});

test('usedPercentOf: with a cap, snaps to the cap when less than 1e-9 is left below it', () => {
	assert.equal(usedPercentOf(0.108 - 1e-10, 0.12, 90), 90);
	assert.ok(usedPercentOf(0.108 - 1e-8, 0.12, 90) < 90);
	assert.equal(usedPercentOf(0.06, 0.12, 90), 50);
});

test("usedPercentOf: snaps to 100 when less than the model's 1e-9 is left", () => {
	assert.equal(usedPercentOf(0.06, 0.12), 50);
	assert.equal(usedPercentOf(0.12 - 1e-10, 0.12), 100);
	assert.ok(usedPercentOf(0.12 - 1e-8, 0.12) < 100);
	assert.equal(usedPercentOf(0, 1), 0);
});
