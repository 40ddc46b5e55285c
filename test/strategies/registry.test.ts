import assert from 'node:assert/strict';
import {test} from 'node:test';
import {
	DEFAULT_STRATEGY,
	getStrategy,
	strategies,
	strategyNames,
} from '../../source/core/strategies/index.ts';
import {account, context} from './helpers.ts';

const required = [
	'random',
	'round-robin',
	'capacity-weighted',
	'usage-weighted',
	'relative-availability',
	'fill-first',
	'sequential-drain',
	'reset-drain',
	'reset-soonest',
	'greedy-frequency',
	'greedy-duration',
	'phase-targeting',
	'sequential',
];

test('registry: every strategy of strategies.md is registered under its name', () => {
	for (const name of required) {
		assert.equal(getStrategy(name).name, name);
		assert.ok(strategyNames.includes(name), name);
	}

	assert.deepEqual(Object.keys(strategies), [...strategyNames]);
	assert.ok(strategyNames.includes(DEFAULT_STRATEGY));
});

test('registry: an unknown name throws, listing the valid ones', () => {
	assert.throws(() => getStrategy('nope'), /Unknown strategy "nope"\. Valid strategies: .*phase-targeting/);
	assert.throws(() => getStrategy('toString'), /Unknown strategy/);
});

test('registry: every strategy picks a usable account, and answers none for a move with none usable', () => {
	const pool = [
		account('a', {five: {used: 100, resetInHours: 1}}),
		account('b', {week: {used: 30, resetInHours: 40}}),
	];
	const stuck = [account('a', {five: {used: 100, resetInHours: 1}})];
	for (const name of strategyNames) {
		const strategy = getStrategy(name);
		for (const draw of [0, 0.5, 0.999]) {
			assert.equal(strategy.pick(pool, context({random: draw})), 'b', name);
		}

		assert.equal(strategy.pick(stuck, context({kind: 'move'})), undefined, name);
	}
});
