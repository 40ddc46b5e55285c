import assert from 'node:assert/strict';
import {test} from 'node:test';
import {random} from '../../source/core/strategies/random.ts';
import {roundRobin} from '../../source/core/strategies/round-robin.ts';
import {account, table} from './helpers.ts';

const exhausted = {five: {used: 100, resetInHours: 2}};

table(test, assert.equal, random, [
	{
		rule: 'a draw of 0 takes the first account in id order',
		accounts: [account('c'), account('a'), account('b')],
		expected: 'a',
	},
	{
		rule: 'a draw of 0.5 takes the middle one',
		accounts: [account('c'), account('a'), account('b')],
		context: {random: 0.5},
		expected: 'b',
	},
	{
		rule: 'a draw near 1 takes the last one',
		accounts: [account('c'), account('a'), account('b')],
		context: {random: 0.999},
		expected: 'c',
	},
	{rule: 'unusable accounts are skipped', accounts: [account('a', exhausted), account('b')], expected: 'b'},
	{
		rule: 'none usable: a new session still gets a pick over all',
		accounts: [account('a', exhausted), account('b', exhausted)],
		context: {random: 0.7},
		expected: 'b',
	},
	{
		rule: 'none usable: a move gets none',
		accounts: [account('a', exhausted)],
		context: {kind: 'move'},
		expected: undefined,
	},
]);

test('random: picks are uniform over the usable accounts', () => {
	const accounts = [account('a'), account('b'), account('c'), account('d', exhausted)];
	const counts = new Map<string | undefined, number>();
	for (let i = 0; i < 300; i++) {
		const id = random.pick(accounts, {now: 0, kind: 'new', random: () => (i + 0.5) / 300});
		counts.set(id, (counts.get(id) ?? 0) + 1);
	}

	assert.deepEqual([...counts.entries()].sort(), [
		['a', 100],
		['b', 100],
		['c', 100],
	]);
});

table(test, assert.equal, roundRobin, [
	{
		rule: 'a never-picked account goes first',
		accounts: [account('a', {pickedHoursAgo: 9}), account('b')],
		expected: 'b',
	},
	{
		rule: 'otherwise the least recently picked',
		accounts: [account('a', {pickedHoursAgo: 1}), account('b', {pickedHoursAgo: 3})],
		expected: 'b',
	},
	{rule: 'ties go to the smaller id', accounts: [account('b'), account('a')], expected: 'a'},
	{
		rule: 'usage does not matter',
		accounts: [account('a', {five: {used: 99, resetInHours: 1}}), account('b', {pickedHoursAgo: 1})],
		expected: 'a',
	},
	{
		rule: 'unusable accounts are skipped',
		accounts: [account('a', exhausted), account('b', {pickedHoursAgo: 1})],
		expected: 'b',
	},
	{
		rule: 'none usable: a new session takes the least recently picked of all',
		accounts: [
			account('a', {...exhausted, pickedHoursAgo: 1}),
			account('b', {...exhausted, pickedHoursAgo: 2}),
		],
		expected: 'b',
	},
	{
		rule: 'none usable: a resume gets none',
		accounts: [account('a', exhausted)],
		context: {kind: 'resume'},
		expected: undefined,
	},
]);
