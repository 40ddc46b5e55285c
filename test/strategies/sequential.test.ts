import assert from 'node:assert/strict';
import {test} from 'node:test';
import {sequential} from '../../source/core/strategies/sequential.ts';
import {account, table} from './helpers.ts';

const order = {order: ['c', 'a', 'b']};
table(test, assert.equal, sequential, [
	{
		rule: "the first account in the user's order",
		accounts: [account('a'), account('b'), account('c')],
		context: {options: order},
		expected: 'c',
	},
	{
		rule: 'past the default threshold (95% of 5h): the next in order',
		accounts: [account('a'), account('b'), account('c', {five: {used: 96, resetInHours: 1}})],
		context: {options: order},
		expected: 'a',
	},
	{
		rule: 'a custom threshold (97) keeps it',
		accounts: [account('a'), account('b'), account('c', {five: {used: 96, resetInHours: 1}})],
		context: {options: {...order, threshold: 97}},
		expected: 'c',
	},
	{
		rule: 'an earlier account is used again once its window has reset',
		accounts: [account('a'), account('c', {five: {used: 99, resetInHours: -0.1}})],
		context: {options: order},
		expected: 'c',
	},
	{
		rule: 'accounts not in the order come after it, by id',
		accounts: [account('z'), account('y'), account('b', {five: {used: 100, resetInHours: 1}})],
		context: {options: {order: ['b']}},
		expected: 'y',
	},
	{rule: 'no order: id order', accounts: [account('b'), account('a')], expected: 'a'},
	{
		rule: 'all usable past the threshold: the first usable in order',
		accounts: [
			account('a', {five: {used: 97, resetInHours: 1}}),
			account('b', {five: {used: 100, resetInHours: 1}}),
			account('c', {five: {used: 96, resetInHours: 1}}),
		],
		context: {options: order},
		expected: 'c',
	},
	{
		rule: 'validation: A until unavailable, then B',
		accounts: [account('A', {week: {used: 100, resetInHours: 20}}), account('B')],
		context: {options: {order: ['A', 'B']}},
		expected: 'B',
	},
]);
