import assert from 'node:assert/strict';
import {test} from 'node:test';
import {expectedWait, greedyDuration} from '../../source/core/strategies/greedy-duration.ts';
import {greedyFrequency} from '../../source/core/strategies/greedy-frequency.ts';
import {resetSoonest} from '../../source/core/strategies/reset-soonest.ts';
import {account, FIVE_HOURS, HOUR, NOW, table} from './helpers.ts';

table(test, assert.equal, resetSoonest, [
	{
		rule: 'an untouched account beats a used one with a sooner reset',
		accounts: [account('a', {week: {used: 10, resetInHours: 24}}), account('b')],
		expected: 'b',
	},
	{
		rule: 'among untouched ones, the soonest known weekly reset',
		accounts: [account('a'), account('b', {week: {used: 0, resetInHours: 48}})],
		expected: 'b',
	},
	{
		rule: 'none untouched: the soonest weekly reset, the 5h window ignored',
		accounts: [
			account('a', {five: {used: 90, resetInHours: 4}, week: {used: 30, resetInHours: 24}}),
			account('b', {five: {used: 1, resetInHours: 4}, week: {used: 5, resetInHours: 48}}),
		],
		expected: 'a',
	},
	{
		rule: 'equally soon: random (draw 0)',
		accounts: [account('b'), account('a')],
		context: {random: 0},
		expected: 'a',
	},
	{
		rule: 'equally soon: random (draw 0.99)',
		accounts: [account('b'), account('a')],
		context: {random: 0.99},
		expected: 'b',
	},
	{
		rule: 'exhausted accounts are skipped',
		accounts: [
			account('a', {five: {used: 100, resetInHours: 1}, week: {used: 30, resetInHours: 24}}),
			account('b', {week: {used: 30, resetInHours: 48}}),
		],
		expected: 'b',
	},
]);

table(test, assert.equal, greedyFrequency, [
	// Usable = min(0.12 × free 5h, 1 × free weekly).
	{
		rule: 'the largest usable quota (0.108 > 0.06)',
		accounts: [
			account('a', {five: {used: 50, resetInHours: 1}}),
			account('b', {five: {used: 10, resetInHours: 1}}),
		],
		expected: 'b',
	},
	{
		rule: 'the weekly window binds (min(0.12, 0.05) < 0.06)',
		accounts: [
			account('a', {week: {used: 95, resetInHours: 9}}),
			account('b', {five: {used: 50, resetInHours: 1}}),
		],
		expected: 'b',
	},
	{
		rule: 'an idle window counts as full',
		accounts: [account('a', {five: {used: 1, resetInHours: 4}}), account('b')],
		expected: 'b',
	},
	{
		rule: 'ties: the least recently picked',
		accounts: [account('a', {pickedHoursAgo: 1}), account('b', {pickedHoursAgo: 2})],
		expected: 'b',
	},
	{rule: 'ties: then the smaller id', accounts: [account('b'), account('a')], expected: 'a'},
]);

// a: 0.06 usable, its 5h window resets in 10 min; b: 0.08 usable, bound by its weekly window (3 days).
const quickReset = [
	account('a', {five: {used: 50, resetInHours: 1 / 6}}),
	account('b', {week: {used: 92, resetInHours: 72}}),
];
table(test, assert.equal, greedyDuration, [
	{rule: 'both cover the mean (0.02): no wait, so the more usable', accounts: quickReset, expected: 'b'},
	{
		rule: 'neither covers a mean of 0.1: the shorter wait',
		accounts: quickReset,
		context: {options: {meanSessionSize: 0.1}},
		expected: 'a',
	},
	{
		rule: 'short of the mean: the window that resets sooner',
		accounts: [
			account('a', {five: {used: 90, resetInHours: 1}}),
			account('b', {five: {used: 95, resetInHours: 0.5}}),
		],
		expected: 'b',
	},
	{
		rule: 'any account covering the mean beats a short one',
		accounts: [
			account('a', {five: {used: 95, resetInHours: 0.1}}),
			account('b', {five: {used: 80, resetInHours: 4}}),
		],
		expected: 'b',
	},
	{
		rule: 'ties: least recently picked, then id',
		accounts: [account('b'), account('a', {pickedHoursAgo: 1}), account('c')],
		expected: 'b',
	},
	{
		rule: 'none usable: a new session goes where it waits least',
		accounts: [
			account('a', {five: {used: 100, resetInHours: 2}}),
			account('b', {five: {used: 100, resetInHours: 1}}),
		],
		expected: 'b',
	},
]);

test('greedy-duration: an idle window shorter than the mean waits a full window once started', () => {
	assert.equal(expectedWait(account('a'), NOW, 0.15), FIVE_HOURS);
	assert.equal(expectedWait(account('a'), NOW, 0.12), 0);
	assert.equal(
		expectedWait(
			account('a', {five: {used: 95, resetInHours: 1}, week: {used: 99, resetInHours: 30}}),
			NOW,
			0.02,
		),
		30 * HOUR,
	);
});
