import assert from 'node:assert/strict';
import {test} from 'node:test';
import {BurnForecast} from '../../source/core/forecast.ts';
import type {PoolAccount} from '../../source/core/pool/pool.ts';
import {accountSnapshot} from '../../source/core/snapshot-builder.ts';
import {makeAccount} from '../store/fixtures.ts';

const minute = 60_000;
const window = (usedPercent: number, resetAt: number) =>
	({kind: 'five-hour', lengthMinutes: 300, usedPercent, resetAt}) as const;
/** A reading of a window whose reset time is not known. */
const r = (usedPercent: number | undefined) =>
	usedPercent === undefined ? undefined : {usedPercent, resetAt: undefined};
/** A reading of a running window that resets at `resetAt`. */
const at = (usedPercent: number, resetAt: number) => ({usedPercent, resetAt});

test('a steady pace that outruns the reset forecasts the moment it runs out', () => {
	const forecast = new BurnForecast();
	// 1% a minute: from 40% at minute 20, 60 minutes to go; the window resets in 4 hours.
	for (let t = 0; t <= 20; t += 5) {
		forecast.observe('a', t * minute, r(20 + t), r(3));
	}

	assert.equal(forecast.exhaustsAt('a', 'fiveHour', window(40, 240 * minute), 20 * minute), 80 * minute);
});

test('a pace that lasts until the reset forecasts nothing', () => {
	const forecast = new BurnForecast();
	forecast.observe('a', 0, r(10), r(1));
	forecast.observe('a', 20 * minute, r(12), r(1));
	assert.equal(forecast.exhaustsAt('a', 'fiveHour', window(12, 60 * minute), 20 * minute), undefined);
});

test('a burst shorter than the minimum span gives no pace', () => {
	const forecast = new BurnForecast();
	forecast.observe('a', 0, r(0), r(0));
	forecast.observe('a', 5000, r(30), r(1));
	assert.equal(forecast.exhaustsAt('a', 'fiveHour', window(30, 240 * minute), 5000), undefined);
});

test('a reset (used percent falling) restarts the series', () => {
	const forecast = new BurnForecast();
	forecast.observe('a', 0, r(50), r(5));
	forecast.observe('a', 20 * minute, r(90), r(6));
	forecast.observe('a', 21 * minute, r(1), r(6));
	assert.equal(forecast.exhaustsAt('a', 'fiveHour', window(1, 300 * minute), 21 * minute), undefined);
});

test('a 5-hour window that vanishes and comes back restarts the series; the weekly pace of a weekly-only account works', () => {
	const forecast = new BurnForecast();
	forecast.observe('a', 0, r(50), r(5));
	forecast.observe('a', 10 * minute, undefined, r(6));
	// Back at 40 %: without a restart, 0 → 40 over the span would read as a pace.
	forecast.observe('a', 20 * minute, r(40), r(7));
	forecast.observe('a', 25 * minute, r(41), r(8));
	assert.equal(forecast.exhaustsAt('a', 'fiveHour', window(41, 300 * minute), 25 * minute), undefined);
	const weeklyOnly = new BurnForecast();
	for (let t = 0; t <= 20; t += 5) {
		weeklyOnly.observe('w', t * minute, undefined, r(60 + t));
	}

	const weekly = {kind: 'weekly', lengthMinutes: 10_080, usedPercent: 80, resetAt: 1000 * minute} as const;
	assert.equal(weeklyOnly.exhaustsAt('w', 'weekly', weekly, 20 * minute), 40 * minute);
	assert.equal(weeklyOnly.exhaustsAt('w', 'fiveHour', undefined, 20 * minute), undefined);
});

test('with a cap on the window, the forecast is of reaching the cap, not 100 %', () => {
	const forecast = new BurnForecast();
	// 1% a minute, at 40% at minute 20; the window resets in 4 hours.
	for (let t = 0; t <= 20; t += 5) {
		forecast.observe('a', t * minute, r(20 + t), r(3));
	}

	const at40 = window(40, 240 * minute);
	assert.equal(
		forecast.exhaustsAt('a', 'fiveHour', at40, 20 * minute, 80),
		60 * minute,
		'cap 80: 40 minutes',
	);
	assert.equal(
		forecast.exhaustsAt('a', 'fiveHour', at40, 20 * minute, 100),
		80 * minute,
		'cap 100 is no cap',
	);
	assert.equal(forecast.exhaustsAt('a', 'fiveHour', at40, 20 * minute, 40), undefined, 'at its cap already');
});

test('the snapshot forecasts each window to its cap', () => {
	const forecast = new BurnForecast();
	for (let t = 0; t <= 20; t += 5) {
		forecast.observe('a', t * minute, r(20 + t), r(3 + t / 10));
	}

	const record = makeAccount('a', {name: 'a', caps: {fiveHour: 90}});
	const account: PoolAccount = {
		record,
		quota: {
			fiveHour: {kind: 'five-hour', lengthMinutes: 300, usedPercent: 40, resetAt: 240 * minute},
			weekly: {kind: 'weekly', lengthMinutes: 10_080, usedPercent: 5, resetAt: 9000 * minute},
			observedAt: 20 * minute,
		},
		health: {status: 'ok'},
		running: 0,
		lastPickedAt: undefined,
		failures: 0,
	};
	const snapshot = accountSnapshot(account, 20 * minute, 20 * minute, true, forecast);
	assert.equal(snapshot.fiveHour?.exhaustsAt, 70 * minute, 'reaches its 90 % cap 50 minutes from now');
	const uncapped = accountSnapshot(
		{...account, record: {...record, caps: undefined}},
		20 * minute,
		20 * minute,
		true,
		forecast,
	);
	assert.equal(uncapped.fiveHour?.exhaustsAt, 80 * minute);
});

/*
Issue 17: the demo never showed a forecast. The usage poll reports whole percents between the headers'
fractions (59.81, 60, 62, 64, 63.94, ...), and each small fall restarted the series, so it never spanned
the ten minutes a pace needs.
*/
test('rounded and late readings of the same window do not restart the series', () => {
	const forecast = new BurnForecast();
	const reset = 240 * minute;
	const weekly = 7 * 24 * 60 * minute;
	const readings = [
		[0, 20.4],
		[2, 22],
		[3, 22.6],
		[5, 25],
		[6, 24.8],
		[8, 28.2],
		[9, 27.9],
		[12, 32.5],
	] as const;
	for (const [time, percent] of readings) {
		forecast.observe('a', time * minute, at(percent, reset), at(percent / 10, weekly));
	}

	const runsOut = forecast.exhaustsAt('a', 'fiveHour', window(32.5, reset), 12 * minute);
	assert.ok(runsOut !== undefined, 'a pace of about 1 % a minute runs out before the reset in 4 hours');
	// From 20.4 % to 32.5 % in 12 minutes: 67.5 % more at that pace.
	assert.ok(Math.abs(runsOut - (12 + (67.5 * 12) / 12.1) * minute) < minute);
});

test('a window with another reset time, or one that starts, restarts the series', () => {
	const forecast = new BurnForecast();
	forecast.observe('a', 0, at(50, 100 * minute), r(5));
	forecast.observe('a', 20 * minute, at(90, 100 * minute), r(6));
	// The next window: it resets five hours later and happens to read higher already.
	forecast.observe('a', 25 * minute, at(95, 400 * minute), r(6));
	assert.equal(forecast.exhaustsAt('a', 'fiveHour', window(95, 400 * minute), 25 * minute), undefined);
	const starting = new BurnForecast();
	starting.observe('b', 0, r(0), r(0));
	starting.observe('b', 20 * minute, at(10, 300 * minute), r(1));
	assert.equal(starting.exhaustsAt('b', 'fiveHour', window(10, 300 * minute), 20 * minute), undefined);
});
