import assert from 'node:assert/strict';
import {test} from 'node:test';
import {capacityWeighted} from '../../source/core/strategies/capacity-weighted.ts';
import {fillFirst} from '../../source/core/strategies/fill-first.ts';
import {relativeAvailability} from '../../source/core/strategies/relative-availability.ts';
import {resetDrain} from '../../source/core/strategies/reset-drain.ts';
import {sequentialDrain, stableHash} from '../../source/core/strategies/sequential-drain.ts';
import {usageWeighted} from '../../source/core/strategies/usage-weighted.ts';
import {account, table} from './helpers.ts';

// Weekly resets on the same whole day (bucket 2) unless a row is about that bucketing.
const day2 = (used = 0) => ({used, resetInHours: 60});

table(test, assert.equal, capacityWeighted, [
	// Weights: free 1134 × 1 = 1134, pro 50400 × 0.5 = 25200; a draw below 1134/26334 ≈ 0.0431 takes the free one.
	{
		rule: 'weights are plan capacity × remaining weekly (draw 0.04 → the free account)',
		accounts: [account('a', {plan: 'free', week: day2()}), account('b', {plan: 'pro', week: day2(50)})],
		context: {random: 0.04},
		expected: 'a',
	},
	{
		rule: 'weights are plan capacity × remaining weekly (draw 0.05 → the pro account)',
		accounts: [account('a', {plan: 'free', week: day2()}), account('b', {plan: 'pro', week: day2(50)})],
		context: {random: 0.05},
		expected: 'b',
	},
	{
		rule: 'prefer earlier reset: a later reset day is never drawn',
		accounts: [
			account('a', {week: {resetInHours: 50}}),
			account('b', {week: {resetInHours: 70}}),
			account('c', {week: {resetInHours: 100}}),
		],
		context: {random: 0.999},
		expected: 'b',
	},
	{
		rule: 'an idle weekly window falls in the last day bucket',
		accounts: [account('a'), account('b', {week: {used: 90, resetInHours: 160}})],
		context: {random: 0},
		expected: 'b',
	},
	{
		rule: '2.5 points of pressure per running session (40 sessions: weight 0)',
		accounts: [account('a', {week: day2(), running: 40}), account('b', {week: day2(90)})],
		context: {random: 0},
		expected: 'b',
	},
	{
		rule: 'all weights 0: the usage-weighted order decides',
		accounts: [account('a', {week: day2(99), running: 1}), account('b', {week: day2(98), running: 2})],
		expected: 'a',
	},
	{
		rule: 'exhausted accounts are not drawn',
		accounts: [
			account('a', {five: {used: 100, resetInHours: 1}, week: day2()}),
			account('b', {week: day2(95)}),
		],
		expected: 'b',
	},
]);

table(test, assert.equal, usageWeighted, [
	{
		rule: 'the lowest weekly used first',
		accounts: [
			account('a', {week: day2(30), five: {used: 10, resetInHours: 1}}),
			account('b', {week: day2(20), five: {used: 90, resetInHours: 1}}),
		],
		expected: 'b',
	},
	{
		rule: 'equal weekly: the lowest 5h used',
		accounts: [
			account('a', {week: day2(20), five: {used: 50, resetInHours: 1}}),
			account('b', {week: day2(20), five: {used: 10, resetInHours: 1}}),
		],
		expected: 'b',
	},
	{
		rule: 'equal usage: never picked first',
		accounts: [account('a', {week: day2(20), pickedHoursAgo: 1}), account('b', {week: day2(20)})],
		expected: 'b',
	},
	{
		rule: 'equal usage: the least recently picked',
		accounts: [
			account('a', {week: day2(20), pickedHoursAgo: 1}),
			account('b', {week: day2(20), pickedHoursAgo: 2}),
		],
		expected: 'b',
	},
	{
		rule: 'all equal: the smaller id',
		accounts: [account('b', {week: day2(20)}), account('a', {week: day2(20)})],
		expected: 'a',
	},
	{
		rule: 'running sessions add 2.5 points each (20 + 2×2.5 > 24)',
		accounts: [account('a', {week: day2(20), running: 2}), account('b', {week: day2(24)})],
		expected: 'b',
	},
	{
		rule: 'prefer earlier reset beats lower usage',
		accounts: [
			account('a', {week: {used: 80, resetInHours: 30}}),
			account('b', {week: {used: 0, resetInHours: 120}}),
		],
		expected: 'a',
	},
]);

table(test, assert.equal, relativeAvailability, [
	// a: 3780 credits / 86400 s; b idle: 7560 / 604800 s → normalised 0.286, squared 0.082 < 0.1: dropped.
	{
		rule: 'weights under 0.1 are dropped',
		accounts: [account('a', {week: {used: 50, resetInHours: 24}}), account('b')],
		context: {random: 0.999},
		expected: 'a',
	},
	// Scores 1 and 0.5 → weights 1 and 0.25 (total 1.25): draws below 0.8 take a.
	{
		rule: 'weight is the normalised score squared (draw 0.79 → a)',
		accounts: [account('a', {week: {resetInHours: 48}}), account('b', {week: {used: 50, resetInHours: 48}})],
		context: {random: 0.79},
		expected: 'a',
	},
	{
		rule: 'weight is the normalised score squared (draw 0.81 → b)',
		accounts: [account('a', {week: {resetInHours: 48}}), account('b', {week: {used: 50, resetInHours: 48}})],
		context: {random: 0.81},
		expected: 'b',
	},
	{
		rule: 'only the top 5 are drawn (ties by id)',
		accounts: ['g', 'f', 'e', 'd', 'c', 'b', 'a'].map((id) => account(id)),
		context: {random: 0.999},
		expected: 'e',
	},
	// 10 s and 100 s to reset both count as 300 s: equal scores, so a draw of 0.51 reaches the second.
	{
		rule: 'seconds to reset count at least 300',
		accounts: [
			account('a', {week: {used: 50, resetInHours: 10 / 3600}}),
			account('b', {week: {used: 50, resetInHours: 100 / 3600}}),
		],
		context: {random: 0.51},
		expected: 'b',
	},
	{
		rule: 'all scores 0: the usage-weighted order decides',
		accounts: [account('a', {week: day2(99), running: 1}), account('b', {week: day2(98), running: 2})],
		expected: 'a',
	},
]);

table(test, assert.equal, fillFirst, [
	{
		rule: 'the most 5h-used account first',
		accounts: [
			account('a', {five: {used: 80, resetInHours: 1}}),
			account('b', {five: {used: 20, resetInHours: 1}}),
		],
		expected: 'a',
	},
	{
		rule: 'equal 5h: the most weekly-used',
		accounts: [
			account('a', {five: {used: 50, resetInHours: 1}, week: day2(10)}),
			account('b', {five: {used: 50, resetInHours: 1}, week: day2(40)}),
		],
		expected: 'b',
	},
	{rule: 'all equal: the smaller id', accounts: [account('b'), account('a')], expected: 'a'},
	{
		rule: 'an exhausted account is passed over',
		accounts: [
			account('a', {five: {used: 100, resetInHours: 1}}),
			account('b', {five: {used: 20, resetInHours: 1}}),
		],
		expected: 'b',
	},
	{
		rule: 'running sessions add pressure (50 + 2×2.5 > 54)',
		accounts: [
			account('a', {five: {used: 50, resetInHours: 1}, running: 2}),
			account('b', {five: {used: 54, resetInHours: 1}}),
		],
		expected: 'a',
	},
	{
		rule: 'prefer earlier reset first',
		accounts: [
			account('a', {five: {used: 90, resetInHours: 1}, week: {resetInHours: 80}}),
			account('b', {week: {resetInHours: 30}}),
		],
		expected: 'b',
	},
]);

test('sequential-drain: the hash is FNV-1a (stable across runs and machines)', () => {
	assert.equal(stableHash(''), 0x811c9dc5);
	assert.equal(stableHash('a'), 0xe40c292c);
});

const byHash = ['acct-1', 'acct-2', 'acct-3'].sort((x, y) => stableHash(x) - stableHash(y));
table(test, assert.equal, sequentialDrain, [
	{
		rule: 'the smallest plan first',
		accounts: [account('a', {plan: 'pro'}), account('b', {plan: 'free'}), account('c')],
		expected: 'b',
	},
	{
		rule: 'same plan: the smallest hash, whatever the usage',
		accounts: byHash.map((id, i) => account(id, {week: day2(90 - i * 40)})).reverse(),
		expected: byHash[0],
	},
	{
		rule: 'an unusable account is skipped for the next in order',
		accounts: byHash.map((id, i) => account(id, i === 0 ? {week: {used: 100, resetInHours: 20}} : {})),
		expected: byHash[1],
	},
]);

table(test, assert.equal, resetDrain, [
	{
		rule: 'the fewest whole days to the weekly reset',
		accounts: [account('a', {week: {resetInHours: 84}}), account('b', {week: {used: 50, resetInHours: 29}})],
		expected: 'b',
	},
	{
		rule: 'same day: the most 5h remaining',
		accounts: [
			account('a', {week: {resetInHours: 29}, five: {used: 70, resetInHours: 1}}),
			account('b', {week: {resetInHours: 45}, five: {used: 10, resetInHours: 1}}),
		],
		expected: 'b',
	},
	{
		rule: 'same day and 5h: the most weekly remaining',
		accounts: [
			account('a', {week: {used: 60, resetInHours: 29}}),
			account('b', {week: {used: 30, resetInHours: 30}}),
		],
		expected: 'b',
	},
	{
		rule: 'same day and usage: the earlier reset time',
		accounts: [
			account('a', {week: {used: 30, resetInHours: 36}}),
			account('b', {week: {used: 30, resetInHours: 29}}),
		],
		expected: 'b',
	},
	{
		rule: 'an idle weekly window resets a full week away: last',
		accounts: [account('a'), account('b', {week: {used: 90, resetInHours: 165}})],
		expected: 'b',
	},
	{
		rule: 'running sessions reduce remaining (2.5 points each)',
		accounts: [
			account('a', {week: day2(), five: {used: 10, resetInHours: 1}, running: 2}),
			account('b', {week: day2(), five: {used: 14, resetInHours: 1}}),
		],
		expected: 'b',
	},
]);
