import assert from 'node:assert/strict';
import {test} from 'node:test';
import type {SchedulerPlan} from '../../source/core/model.ts';
import {planOnShow} from '../../source/core/plan-on-show.ts';
import {eventually} from '../helpers/eventually.ts';
import {HOUR, MINUTE, makeAccount, makeWindow, T0} from '../helpers/fake-core.ts';
import {startRig} from '../helpers/rig.ts';

/*
Issue 17: the control center said "scheduler off" and drew 3 planned kicks, one inside a running window. Off
shows no plan; on, the plan (made at the scheduler's last check) is checked against the windows as they are.
*/

const plan = (overrides: Partial<SchedulerPlan> = {}): SchedulerPlan => ({
	enabled: true,
	dryRun: false,
	policy: 'rotate-restart',
	accounts: [],
	quietHours: undefined,
	nextKicks: [
		{accountId: 'idle', at: T0 + 30 * MINUTE, reason: 'rotation'},
		{accountId: 'busy', at: T0 + 40 * MINUTE, reason: 'rotation'},
		{accountId: 'ending', at: T0 + 50 * MINUTE, reason: 'rotation'},
	],
	...overrides,
});

const accounts = [
	makeAccount({id: 'idle'}),
	// A request started its window after the plan was made: it runs for hours past the kick.
	makeAccount({id: 'busy', fiveHour: makeWindow({usedPercent: 4, resetAt: T0 + 4 * HOUR})}),
	// Its window resets two minutes after the planned kick: the kick waits for the reset, as it would.
	makeAccount({id: 'ending', fiveHour: makeWindow({usedPercent: 60, resetAt: T0 + 52 * MINUTE})}),
];

test('a scheduler that is off shows no plan', () => {
	const shown = planOnShow(plan({enabled: false}), accounts);
	assert.deepEqual(shown.nextKicks, []);
	assert.equal(shown.enabled, false);
});

test('no planned kick is shown inside a running window: it waits for a reset due soon, or is left out', () => {
	const shown = planOnShow(plan(), accounts);
	assert.deepEqual(
		shown.nextKicks.map((kick) => [kick.accountId, kick.at - T0]),
		[
			['idle', 30 * MINUTE],
			['ending', 52 * MINUTE + 1000],
		],
	);
	for (const kick of shown.nextKicks) {
		const resetAt = accounts.find((account) => account.id === kick.accountId)?.fiveHour?.resetAt;
		assert.ok(resetAt === undefined || kick.at >= resetAt, `${kick.accountId} kicked inside its window`);
	}
});

test('a dry run shows its plan, marked as a dry run', () => {
	const shown = planOnShow(plan({dryRun: true}), accounts);
	assert.equal(shown.dryRun, true);
	assert.equal(shown.nextKicks.length, 2);
});

test('the pool running with its scheduler off shows no plan, though the scheduler keeps one', async (t) => {
	const h = await startRig({accounts: ['a', 'b']});
	t.after(() => h.close());
	await eventually(() => assert.ok(h.core.scheduler.getPlan().nextKicks.length > 0, 'the scheduler plans'));
	assert.equal(h.core.getSnapshot().scheduler.enabled, false);
	assert.deepEqual(h.core.getSnapshot().scheduler.nextKicks, []);
});
