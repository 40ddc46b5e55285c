import assert from 'node:assert/strict';
import test from 'node:test';
import {accountRowSegments} from '../../source/components/account-row.ts';
import {segmentsText} from '../../source/components/line.tsx';
import {eventually} from '../helpers/eventually.ts';
import {startRig} from '../helpers/rig.ts';
import {postTurn, turnBody} from './harness.ts';

/*
Issue 17: a freshly used account read `0% idle` until the next usage poll. The first request starts the
windows, but its usage headers (about 0 %, a reset one window length away) look exactly like an idle window's,
so the snapshot showed idle until a poll minutes later.
*/

const usagePolls = (h: Awaited<ReturnType<typeof startRig>>) =>
	h.upstream.log.filter((entry) => entry.path.includes('/wham/usage')).length;

for (const upstreamWebSocket of [true, false]) {
	const via = upstreamWebSocket ? 'over the upstream WebSocket' : 'over HTTP';
	test(`one request through the pool (${via}) shows its account with running windows at once, without a poll`, async (t) => {
		const h = await startRig({accounts: ['a', 'b'], settings: {upstreamWebSocket}});
		t.after(() => h.close());
		// The pool reads every account's usage as it starts: idle windows. Then no poll comes for a minute.
		await eventually(() => assert.ok(h.pool.list().every((account) => account.quota !== undefined)), 5000);
		const polls = usagePolls(h);
		const answer = await postTurn(h.url, turnBody('hi'), {'session-id': 's1'});
		assert.equal(answer.status, 200);
		const used = h.events.request[0]?.accountId;
		assert.ok(used !== undefined);
		await eventually(() => {
			const snapshot = h.core.getSnapshot();
			const row = snapshot.accounts.find((account) => account.id === used);
			assert.ok(row?.fiveHour?.resetAt !== undefined, '5-hour window running');
			assert.ok(row.weekly?.resetAt !== undefined, 'weekly window running');
			// Started by this request: it resets one window length after it (give or take the request).
			assert.ok(Math.abs(row.fiveHour.resetAt - (snapshot.now + 5 * 3_600_000)) < 60_000);
			const text = segmentsText(accountRowSegments(row, snapshot.now, false));
			assert.match(text, /0% 4h59m|0% 5h00m/, text);
			assert.doesNotMatch(text, /idle/, text);
		}, 1000);
		assert.equal(usagePolls(h), polls, 'no usage poll was needed');
		const other = h.core.getSnapshot().accounts.find((account) => account.id !== used);
		assert.equal(other?.fiveHour?.resetAt, undefined, 'the account nothing used stays idle');
	});
}

test('a reading that looks idle does not undo a window a request started; a real reset does', async (t) => {
	const h = await startRig({accounts: ['a']});
	t.after(() => h.close());
	assert.equal((await postTurn(h.url, turnBody('hi'), {'session-id': 's1'})).status, 200);
	const id = h.id('a');
	await eventually(() => assert.ok(h.pool.get(id)?.quota?.fiveHour?.resetAt !== undefined), 1000);
	const running = h.pool.get(id)!.quota!.fiveHour!;
	// A poll a minute after the start: about 0 % with a reset a window length after the poll, as an idle one.
	const now = Date.now();
	const idle = (kind: 'five-hour' | 'weekly', lengthMinutes: number) =>
		({kind, lengthMinutes, usedPercent: 0, resetAt: undefined}) as const;
	h.pool.observeQuota(id, {
		fiveHour: idle('five-hour', 300),
		weekly: idle('weekly', 10_080),
		observedAt: now,
	});
	assert.deepEqual(h.pool.get(id)?.quota?.fiveHour, running);
	// A window well used that reads idle was reset (the upstream may reset windows early): that reading wins.
	h.pool.observeQuota(id, {
		fiveHour: {...running, usedPercent: 40},
		weekly: undefined,
		observedAt: now,
	});
	h.pool.observeQuota(id, {fiveHour: idle('five-hour', 300), weekly: undefined, observedAt: now + 1});
	assert.equal(h.pool.get(id)?.quota?.fiveHour?.resetAt, undefined);
});

test('a kick shows its account with running windows at once, without a poll', async (t) => {
	const h = await startRig({accounts: ['a']});
	t.after(() => h.close());
	await eventually(() => assert.ok(h.pool.list().every((account) => account.quota !== undefined)), 5000);
	const polls = usagePolls(h);
	const kicked = await h.core.kick('a');
	assert.equal(kicked.ok, true, kicked.message);
	await eventually(() => {
		const row = h.core.getSnapshot().accounts[0];
		assert.ok(row?.fiveHour?.resetAt !== undefined, '5-hour window running');
	}, 1000);
	assert.equal(usagePolls(h), polls, 'no usage poll was needed');
});
