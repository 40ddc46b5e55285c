import assert from 'node:assert/strict';
import {test} from 'node:test';
import {rotateRestart} from '../../source/core/kicks/rotate-restart.ts';
import {kickable} from '../../source/core/kicks/rotation.ts';
import {stagger} from '../../source/core/kicks/stagger.ts';
import {getStrategy, strategyNames} from '../../source/core/strategies/index.ts';
import {startGates} from '../../source/core/strategies/phase-targeting.ts';
import {select} from '../../source/core/strategies/select.ts';
import {isUsable, usableQuota, windowCappedOut} from '../../source/core/strategies/views.ts';
import {account, context, HOUR, NOW} from './helpers.ts';

test('a weekly-only account: usable on its weekly quota alone, which is all its usable quota', () => {
	const weeklyOnly = account('w', {five: 'none', week: {used: 50, resetInHours: 10}});
	assert.equal(isUsable(weeklyOnly, NOW), true);
	assert.equal(usableQuota(weeklyOnly, NOW), 0.5);
	assert.equal(isUsable(account('w', {five: 'none', week: {used: 100, resetInHours: 10}}), NOW), false);
});

test('a cap makes a window spent at the cap, until its reset', () => {
	const capped = account('c', {five: {used: 85, resetInHours: 1}, caps: {fiveHour: 85}});
	assert.equal(isUsable(capped, NOW), false);
	assert.equal(windowCappedOut(capped, 'fiveHour', NOW), true);
	assert.equal(isUsable(capped, NOW + 2 * HOUR), true, 'the reset brings it under');
	const weekly = account('c', {week: {used: 79, resetInHours: 10}, caps: {weekly: 80}});
	assert.equal(isUsable(weekly, NOW), true);
	assert.ok(Math.abs(usableQuota(weekly, NOW) - 0.01) < 1e-12, 'headroom up to the cap');
	assert.equal(windowCappedOut(account('f', {five: {used: 100, resetInHours: 1}}), 'fiveHour', NOW), false);
});

for (const name of strategyNames) {
	test(`${name}: never sends new work or a move to an account at its cap; uses a weekly-only account`, () => {
		const strategy = getStrategy(name);
		const capped = account('a', {five: {used: 91, resetInHours: 2}, caps: {fiveHour: 90}});
		const weeklyOnly = account('b', {five: 'none', week: {used: 20, resetInHours: 50}});
		for (const kind of ['new', 'move', 'resume'] as const) {
			for (const random of [0, 0.5, 0.99]) {
				const picked = select(
					strategy,
					[capped, weeklyOnly],
					context({kind, random, options: {order: ['a', 'b']}}),
				);
				assert.notEqual(picked, 'a', `${kind} ${random}: the capped account`);
				if (kind !== 'resume') assert.equal(picked, 'b', `${kind} ${random}`);
			}
		}
	});
}

test('phase-targeting gates: the 5-hour phases are shared among the accounts that have a 5-hour window', () => {
	// Two accounts with a 5-hour window, one started 2 h ago: gate needs 5 h / 2 = 2.5 h (not 5 h / 3).
	const started = account('a', {five: {used: 10, resetInHours: 3}, week: {used: 1, resetInHours: 100}});
	const idle = account('b');
	const weeklyOnly = account('c', {five: 'none', week: {used: 1, resetInHours: 100}});
	assert.equal(startGates([started, idle, weeklyOnly], NOW).fiveHour, false);
	assert.equal(startGates([started, idle, weeklyOnly], NOW + HOUR).fiveHour, true);
});

test('kicks: an account without a 5-hour window is never kicked; the rotation spaces the others', () => {
	const weeklyOnly = account('w', {five: 'none'});
	assert.equal(kickable(weeklyOnly), false);
	assert.equal(kickable(account('x', {week: {used: 80, resetInHours: 20}, caps: {weekly: 80}})), false);
	const pool = [account('a'), weeklyOnly, account('c')];
	for (const policy of [stagger, rotateRestart]) {
		const plan = policy.plan(pool, 0, {origin: 0, toleranceMs: 1});
		assert.ok(
			plan.every((kick) => kick.accountId !== 'w'),
			policy.name,
		);
		assert.deepEqual(
			plan.filter((kick) => kick.accountId === 'c').map((kick) => kick.at),
			[2.5 * HOUR],
			`${policy.name}: two rotating accounts, one every 2.5 h`,
		);
	}
});
