import assert from 'node:assert/strict';
import {test} from 'node:test';
import {HOUR} from '../../source/core/clock.ts';
import {replanWhenWindowsChange} from '../../source/core/scheduler/replan-on-change.ts';
import type {SchedulerAccount} from '../../source/core/scheduler/types.ts';

const now = 1_000 * HOUR;

function account(fiveHourResetAt: number | undefined): SchedulerAccount {
	return {
		id: 'a',
		name: 'alice',
		plan: 'plus',
		fiveHour: {
			usedPercent: fiveHourResetAt === undefined ? 0 : 1,
			resetAt: fiveHourResetAt,
			lengthMs: 5 * HOUR,
		},
		weekly: {usedPercent: 1, resetAt: now + 100 * HOUR, lengthMs: 168 * HOUR},
		running: 0,
		lastPickedAt: undefined,
		marks: {pinned: false, drained: false, evicted: false},
		coolingUntil: undefined,
		needsLogin: false,
	};
}

test('a request that starts an idle 5-hour window makes the plan again at once (a kick planned into it is stale)', () => {
	let current = [account(undefined)];
	let notify: () => void = () => {};
	let replans = 0;
	replanWhenWindowsChange({
		accounts: () => current,
		now: () => now,
		onPoolChange: (listener) => {
			notify = listener;
			return () => {};
		},
		replan: () => {
			replans++;
		},
	});
	notify();
	assert.equal(replans, 0, 'nothing changed');
	current = [account(now + 5 * HOUR)];
	notify();
	assert.equal(replans, 1, 'the window started');
	current = [{...account(now + 5 * HOUR), running: 1}];
	notify();
	assert.equal(replans, 1, 'a session more is no reason to replan');
	current = [account(undefined)];
	notify();
	assert.equal(replans, 2, 'the window ended');
});
