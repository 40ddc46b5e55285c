import assert from 'node:assert/strict';
import {test} from 'node:test';
import {isUsable, select} from '../../source/core/strategies/select.ts';
import type {AccountView, Strategy} from '../../source/core/strategies/types.ts';
import {account, context, NOW} from './helpers.ts';

/** A strategy that records what it was shown and answers a fixed id (or the first account). */
function spy(answer?: string): Strategy & {seen: string[][]} {
	const seen: string[][] = [];
	return {
		name: 'spy',
		description: 'test',
		seen,
		pick(accounts: readonly AccountView[]) {
			seen.push(accounts.map((a) => a.id));
			return answer ?? accounts[0]?.id;
		},
	};
}

test('select: evicted accounts are never offered', () => {
	const strategy = spy();
	assert.equal(select(strategy, [account('a', {marks: {evicted: true}}), account('b')], context()), 'b');
	assert.deepEqual(strategy.seen, [['b']]);
	assert.equal(select(spy('a'), [account('a', {marks: {evicted: true}})], context()), undefined);
});

test('select: drained accounts are never offered to any pick', () => {
	for (const kind of ['new', 'move', 'resume'] as const) {
		const strategy = spy();
		const accounts = [account('a', {marks: {drained: true}}), account('b')];
		assert.equal(select(strategy, accounts, context({kind})), 'b', kind);
		assert.deepEqual(strategy.seen, [['b']], kind);
	}
});

test('select: a usable pinned account takes a new session without asking the strategy', () => {
	const strategy = spy('a');
	assert.equal(select(strategy, [account('a'), account('b', {marks: {pinned: true}})], context()), 'b');
	assert.deepEqual(strategy.seen, []);
});

test('select: an unusable pinned account leaves the choice to the strategy', () => {
	const strategy = spy('a');
	const pinned = account('b', {marks: {pinned: true}, five: {used: 100, resetInHours: 1}});
	assert.equal(select(strategy, [account('a'), pinned], context()), 'a');
	assert.deepEqual(strategy.seen, [['a', 'b']]);
});

test('select: a pin applies to new sessions, not to moves', () => {
	const strategy = spy('a');
	assert.equal(
		select(strategy, [account('a'), account('b', {marks: {pinned: true}})], context({kind: 'move'})),
		'a',
	);
});

test('select: several usable pinned accounts: the strategy chooses among them only', () => {
	const strategy = spy();
	const accounts = [
		account('a'),
		account('b', {marks: {pinned: true}}),
		account('c', {marks: {pinned: true}}),
	];
	assert.equal(select(strategy, accounts, context()), 'b');
	assert.deepEqual(strategy.seen, [['b', 'c']]);
});

test('select: accounts that need login or are cooling are shown but never usable', () => {
	const strategy = spy();
	const accounts = [account('a', {needsLogin: true}), account('b', {coolingForHours: 1}), account('c')];
	select(strategy, accounts, context());
	assert.deepEqual(strategy.seen, [['a', 'b', 'c']]);
	assert.equal(isUsable(accounts[0]!, NOW), false);
	assert.equal(isUsable(accounts[1]!, NOW), false);
	assert.equal(isUsable(accounts[1]!, NOW + 2 * 3_600_000), true);
});

test('select: a move or resume never lands on an unusable account; a new session may start paused', () => {
	const accounts = [account('a', {five: {used: 100, resetInHours: 1}})];
	assert.equal(select(spy('a'), accounts, context({kind: 'move'})), undefined);
	assert.equal(select(spy('a'), accounts, context({kind: 'resume'})), undefined);
	assert.equal(select(spy('a'), accounts, context({kind: 'new'})), 'a');
});

test('select: an answer that was not offered becomes none', () => {
	assert.equal(select(spy('zz'), [account('a')], context()), undefined);
	assert.equal(select(spy(), [], context()), undefined);
});

test('select: strategies see windows as they stand now (a passed reset is idle at 0%)', () => {
	let shown: AccountView | undefined;
	const strategy: Strategy = {
		name: 'peek',
		description: 'test',
		pick(accounts) {
			shown = accounts[0];
			return shown?.id;
		},
	};
	const stale = account('a', {five: {used: 100, resetInHours: -0.5}, week: {used: 40, resetInHours: 20}});
	assert.equal(select(strategy, [stale], context({kind: 'move'})), 'a');
	assert.deepEqual(shown?.fiveHour, {usedPercent: 0, resetAt: undefined, lengthMs: stale.fiveHour!.lengthMs});
	assert.equal(shown?.weekly.usedPercent, 40);
});

test('isUsable: a window at 100% makes the account unusable until its reset', () => {
	const weekly = account('a', {week: {used: 100, resetInHours: 3}});
	assert.equal(isUsable(weekly, NOW), false);
	assert.equal(isUsable(weekly, NOW + 3 * 3_600_000), true);
	assert.equal(isUsable(account('b', {five: {used: 99.99, resetInHours: 3}}), NOW), true);
});
