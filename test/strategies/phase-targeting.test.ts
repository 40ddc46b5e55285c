import assert from 'node:assert/strict';
import {test} from 'node:test';
import {phaseScore, phaseTargeting, startGates} from '../../source/core/strategies/phase-targeting.ts';
import {account, NOW, table} from './helpers.ts';

// Windows described by how long ago they started: a 5h window started h hours ago resets in 5 − h.
const five = (startedHoursAgo: number, used = 10) => ({used, resetInHours: 5 - startedHoursAgo});
const week = (startedHoursAgo: number, used = 10) => ({used, resetInHours: 168 - startedHoursAgo});

// With N = 3 a 5h window may start once the youngest is 100 min old, a weekly one once it is 56 h old.
table(test, assert.equal, phaseTargeting, [
	{
		rule: 'a fresh pool: nothing started, the first account by id',
		accounts: [account('b'), account('a'), account('c')],
		expected: 'a',
	},
	{
		rule: 'the youngest 5h window is 30 min old: stay on the started account',
		accounts: [account('a', {five: five(0.5), week: week(0.5)}), account('b'), account('c')],
		expected: 'a',
	},
	{
		rule: 'the 5h gate is open but the weekly one is not: start only a 5h window',
		accounts: [account('a', {five: five(2), week: week(100)}), account('b', {week: week(30)}), account('c')],
		expected: 'b',
	},
	{
		rule: 'both gates open (N = 2: 150 min and 84 h): the idle account is started over the started one',
		accounts: [account('a', {five: five(3), week: week(100)}), account('c')],
		expected: 'c',
	},
	// a: (0.5 − 0.2) + (0.8 − 100/168) = 0.505; b: (0.9 − 0.9) + (0.9 − 150/168) = 0.007.
	{
		rule: 'no start allowed: the largest (remaining − still to run) summed over both windows',
		accounts: [
			account('a', {five: {used: 50, resetInHours: 1}, week: {used: 20, resetInHours: 100}}),
			account('b', {five: five(0.5), week: week(18)}),
			account('c'),
		],
		expected: 'a',
	},
	{
		rule: 'no started account usable: an idle one is started rather than refusing work',
		accounts: [account('a', {five: {used: 100, resetInHours: 4.9}, week: week(0.1)}), account('b')],
		expected: 'b',
	},
	{
		rule: 'a move with nothing usable gets none',
		accounts: [account('a', {five: {used: 100, resetInHours: 4}})],
		context: {kind: 'move'},
		expected: undefined,
	},
]);

test('phase-targeting: gates use N = the accounts seen', () => {
	const pool = [account('a', {five: five(1.5), week: week(30)}), account('b')];
	// N = 2: 5h gate needs 150 min, weekly 84 h: both closed.
	assert.deepEqual(startGates(pool, NOW), {fiveHour: false, weekly: false});
	// N = 4: 5h gate needs 75 min (open), weekly 42 h (closed).
	assert.deepEqual(startGates([...pool, account('c'), account('d')], NOW), {fiveHour: true, weekly: false});
	assert.deepEqual(startGates([account('x')], NOW), {fiveHour: true, weekly: true});
});

test('phase-targeting: score of a fresh window is 0 and grows as its reset nears unspent', () => {
	assert.equal(phaseScore(account('a'), NOW), 0);
	assert.ok(Math.abs(phaseScore(account('a', {five: {used: 0, resetInHours: 1}}), NOW) - 0.8) < 1e-12);
});
