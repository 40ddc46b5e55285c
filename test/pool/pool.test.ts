import assert from 'node:assert/strict';
import test from 'node:test';
import {createManualClock, HOUR} from '../../source/core/clock.ts';
import {noMarks} from '../../source/core/model.ts';
import {backoffMs} from '../../source/core/pool/health.ts';
import {createPool} from '../../source/core/pool/pool.ts';
import type {AccountRecord} from '../../source/core/store/types.ts';

const record = (id: string, extra: Partial<AccountRecord> = {}): AccountRecord => ({
	id,
	name: id,
	email: undefined,
	plan: 'plus',
	tokens: {idToken: 'i', accessToken: 'a', refreshToken: 'r', lastRefresh: undefined},
	marks: noMarks,
	needsLogin: undefined,
	addedAt: 0,
	...extra,
});

test('backoff doubles from 5 s and stops at 5 min', () => {
	assert.deepEqual([1, 2, 3, 4, 10].map(backoffMs), [5000, 10_000, 20_000, 40_000, 300_000]);
});

test('a cooling account is usable again when its time is up', () => {
	const clock = createManualClock(1000);
	const pool = createPool({clock, records: [record('a')]});
	pool.markCooling('a', 5000, 'quota');
	assert.equal(pool.isUsable('a'), false);
	assert.equal(pool.usableAt('a'), 5000);
	clock.set(5000);
	assert.equal(pool.isUsable('a'), true);
});

test('errors in a row back off exponentially; a success resets them', () => {
	const clock = createManualClock(0);
	const pool = createPool({clock, records: [record('a')]});
	pool.markFailure('a', 'server');
	const second = pool.markFailure('a', 'server');
	assert.deepEqual(second, {status: 'cooling', until: 10_000, reason: 'server'});
	pool.markSuccess('a');
	assert.equal(pool.get('a')?.failures, 0);
	assert.equal(pool.get('a')?.health.status, 'ok');
});

test('a window at 100% blocks the account until it resets; views show the reset window idle', () => {
	const clock = createManualClock(0);
	const pool = createPool({clock, records: [record('a'), record('b')]});
	pool.observeQuota('a', {
		fiveHour: {kind: 'five-hour', lengthMinutes: 300, usedPercent: 100, resetAt: 2 * HOUR},
		weekly: undefined,
		observedAt: 0,
	});
	assert.equal(pool.isUsable('a'), false);
	assert.equal(pool.earliestUsableAt(), 0, 'b is usable now');
	pool.markCooling('b', 3 * HOUR, 'quota');
	assert.equal(pool.earliestUsableAt(), 2 * HOUR);
	clock.set(2 * HOUR);
	assert.equal(pool.isUsable('a'), true);
	assert.equal(pool.views().find((view) => view.id === 'a')?.fiveHour?.usedPercent, 0);
});

test('a report with only a weekly window means the 5-hour window is gone; it comes back with the next one that has it', () => {
	const clock = createManualClock(0);
	const pool = createPool({clock, records: [record('a')]});
	const fiveHour = {kind: 'five-hour', lengthMinutes: 300, usedPercent: 30, resetAt: 2 * HOUR} as const;
	const weekly = {kind: 'weekly', lengthMinutes: 10_080, usedPercent: 40, resetAt: 100 * HOUR} as const;
	assert.notEqual(pool.views()[0]?.fiveHour, undefined, 'unknown quota: both windows assumed');
	pool.observeQuota('a', {fiveHour, weekly, observedAt: 0});
	pool.observeQuota('a', {fiveHour: undefined, weekly, observedAt: 1});
	assert.equal(pool.get('a')?.quota?.fiveHour, undefined);
	assert.equal(pool.views()[0]?.fiveHour, undefined, 'the view has no 5-hour window either');
	assert.equal(pool.isUsable('a'), true);
	pool.observeQuota('a', {fiveHour: {...fiveHour, usedPercent: 5}, weekly, observedAt: 2});
	assert.equal(pool.views()[0]?.fiveHour?.usedPercent, 5);
});

test('headers carrying only a five-hour window keep the weekly one known', () => {
	const clock = createManualClock(0);
	const pool = createPool({clock, records: [record('a')]});
	const weekly = {kind: 'weekly', lengthMinutes: 10_080, usedPercent: 40, resetAt: 100 * HOUR} as const;
	pool.observeQuota('a', {fiveHour: undefined, weekly, observedAt: 0});
	pool.observeQuota('a', {
		fiveHour: {kind: 'five-hour', lengthMinutes: 300, usedPercent: 10, resetAt: HOUR},
		weekly: undefined,
		observedAt: 1,
	});
	assert.deepEqual(pool.get('a')?.quota?.weekly, weekly);
});

test('needs-login and evicted accounts are never usable and have no usable time', () => {
	const clock = createManualClock(0);
	const pool = createPool({
		clock,
		records: [record('a', {marks: {...noMarks, evicted: true}}), record('b')],
	});
	pool.markNeedsLogin('b', 'refresh token reused');
	assert.equal(pool.usableAt('a'), undefined);
	assert.equal(pool.usableAt('b'), undefined);
	assert.equal(pool.earliestUsableAt(), undefined);
	assert.equal(pool.views().find((view) => view.id === 'b')?.needsLogin, true);
	// A fresh login (the store clears needsLogin) clears the pool's verdict too.
	pool.setRecords([record('a'), record('b', {needsLogin: {code: 'x', message: 'm', at: 0}})]);
	pool.setRecords([record('a'), record('b')]);
	assert.equal(pool.isUsable('b'), true);
});

test('setRecords keeps live state, drops removed accounts and emits a change', () => {
	const clock = createManualClock(0);
	const pool = createPool({clock, records: [record('a'), record('b')]});
	let changes = 0;
	pool.onChange(() => changes++);
	pool.markPicked('a');
	pool.setRunning(new Map([['a', 2]]));
	pool.setRecords([record('a', {name: 'renamed'})]);
	assert.equal(pool.get('a')?.record.name, 'renamed');
	assert.equal(pool.get('a')?.running, 2);
	assert.equal(pool.get('a')?.lastPickedAt, 0);
	assert.equal(pool.get('b'), undefined);
	assert.equal(changes, 3);
});
