import assert from 'node:assert/strict';
import {test} from 'node:test';
import {noMarks} from '../../source/core/model.ts';
import {createRandom} from '../../source/core/random.ts';
import {DEFAULT_STRATEGY, getStrategy, strategyNames} from '../../source/core/strategies/index.ts';
import {phaseFit} from '../../source/core/strategies/phase-fit.ts';
import type {AccountView, PickKind} from '../../source/core/strategies/types.ts';

const HOUR = 3_600_000;
const NOW = 100 * HOUR;

/** An account with both windows started; five-hour used percent, weekly used percent, sessions running. */
function account(
	id: string,
	fiveHour: number,
	weekly: number,
	running = 0,
	fiveHourResetIn = 2,
	weeklyResetIn = 50,
): AccountView {
	return {
		id,
		plan: 'plus',
		fiveHour: {usedPercent: fiveHour, resetAt: NOW + fiveHourResetIn * HOUR, lengthMs: 5 * HOUR},
		weekly: {usedPercent: weekly, resetAt: NOW + weeklyResetIn * HOUR, lengthMs: 168 * HOUR},
		running,
		lastPickedAt: undefined,
		marks: noMarks,
		coolingUntil: undefined,
		needsLogin: false,
	};
}

const pick = (accounts: AccountView[], kind: PickKind, mean = 0.02) =>
	phaseFit.pick(accounts, {now: NOW, kind, random: createRandom(1, 1), options: {meanSessionSize: mean}});

test('phase-fit is registered first and is the default strategy; ours is its former name', () => {
	assert.equal(DEFAULT_STRATEGY, 'phase-fit');
	assert.equal(strategyNames[0], 'phase-fit');
	assert.equal(getStrategy('phase-fit'), phaseFit);
	assert.equal(getStrategy('ours'), phaseFit);
	assert.ok(!strategyNames.includes('ours'), 'an alias is not listed as a strategy of its own');
});

const cases: {
	name: string;
	accounts: AccountView[];
	kind: PickKind;
	mean?: number;
	expected: string | undefined;
}[] = [
	{
		name: 'a resume goes where the usable quota covers the sessions running beyond 1.5 (0.06 ≥ 2.5 × 0.02)',
		// a: 0.012 usable (90% of 0.12 used), nothing running; b: 0.06 usable, 4 running; b scores higher.
		accounts: [account('a', 90, 10, 0), account('b', 50, 10, 4)],
		kind: 'resume',
		expected: 'b',
	},
	{
		name: 'a resume skips the better-scored account that has no room (0.06 < 3.5 × 0.02)',
		accounts: [account('a', 90, 10, 0), account('b', 50, 10, 5)],
		kind: 'resume',
		expected: 'a',
	},
	{
		name: 'a resume is refused ("none") when no account has room: the backlog is not piled on',
		// 0.012 usable with 3 sessions running on each: 0.012 < 1.5 × 0.02.
		accounts: [account('a', 90, 10, 3), account('b', 90, 10, 3)],
		kind: 'resume',
		expected: undefined,
	},
	{
		name: 'the first two sessions resumed onto a recovered account always go, whatever its quota',
		accounts: [account('a', 99, 10, 1)],
		kind: 'resume',
		expected: 'a',
	},
	{
		name: 'a move takes any usable account, room or not (a move is free, a pause is not)',
		accounts: [account('a', 100, 10, 0), account('b', 90, 10, 3)],
		kind: 'move',
		expected: 'b',
	},
	{
		name: 'a new session with no usable account gets "none" (it waits in the queue)',
		accounts: [account('a', 100, 10), account('b', 30, 100)],
		kind: 'new',
		expected: undefined,
	},
	{
		name: 'a new session goes to the account that would lose the most at its reset at an even pace',
		// Both five-hour windows reset in 2 h (40% of the window left); a has 70% left, b 20%.
		accounts: [account('a', 30, 10), account('b', 80, 10)],
		kind: 'new',
		expected: 'a',
	},
];

for (const {name, accounts, kind, mean, expected} of cases) {
	test(`phase-fit: ${name}`, () => {
		assert.equal(pick(accounts, kind, mean), expected);
	});
}
