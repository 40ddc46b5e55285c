import assert from 'node:assert/strict';
import test from 'node:test';
import {startRig} from '../helpers/rig.ts';
import {postTurn, sseEvents, turnBody} from './harness.ts';

/*
A cap through the proxy: at its cap an account counts as exhausted for new requests and moves, its sessions
move as from an exhausted account (no error the client sees), and the window's reset brings it back.
*/

test('an account at its cap takes no new work, its session moves without an error, and the reset brings it back', async (t) => {
	const h = await startRig({accounts: ['a', 'b']});
	t.after(() => h.close());
	const first = await postTurn(h.url, turnBody('hi'), {'session-id': 's1'});
	assert.equal(first.status, 200);
	const home = h.events.request[0]!.accountId!;
	const other = home === h.id('a') ? h.id('b') : h.id('a');
	// The user caps the session's account at 90 % of its 5-hour window, which stands at 95 %.
	const record = h.pool.get(home)!.record;
	h.pool.setRecords(
		h.pool
			.list()
			.map((account) => (account.record.id === home ? {...record, caps: {fiveHour: 90}} : account.record)),
	);
	// Far enough for the two requests below on a loaded machine (at 400 ms the reset could come before them).
	const resetAt = Date.now() + 3000;
	h.pool.observeQuota(home, {
		fiveHour: {kind: 'five-hour', lengthMinutes: 300, usedPercent: 95, resetAt},
		weekly: {kind: 'weekly', lengthMinutes: 10_080, usedPercent: 10, resetAt: Date.now() + 3_600_000},
		observedAt: Date.now(),
	});
	assert.equal(h.pool.isUsable(home), false, 'at its cap it counts as exhausted');
	assert.equal(h.pool.usableAt(home), resetAt, 'until the window resets');
	assert.equal(h.pool.views().find((view) => view.id === home)?.caps?.fiveHour, 90);

	const moved = await postTurn(h.url, turnBody('again'), {'session-id': 's1'});
	assert.equal(moved.status, 200);
	assert.equal(sseEvents(moved.text).at(-1)?.type, 'response.completed', 'no error the client sees');
	assert.equal(h.events.request.at(-1)?.accountId, other);
	assert.equal(h.events.move.length, 1, 'the session moved as from an exhausted account');
	const fresh = await postTurn(h.url, turnBody('new'), {'session-id': 's2'});
	assert.equal(fresh.status, 200);
	assert.equal(h.events.request.at(-1)?.accountId, other, 'new sessions go elsewhere too');

	await new Promise((resolve) => setTimeout(resolve, Math.max(0, resetAt - Date.now()) + 50));
	assert.equal(h.pool.isUsable(home), true, 'the reset brings it under its cap');
});

test('a cap below the used percent reads as exhausted; a cap above it changes nothing', async (t) => {
	const h = await startRig({accounts: ['a']});
	t.after(() => h.close());
	const id = h.id('a');
	const weekly = {
		kind: 'weekly',
		lengthMinutes: 10_080,
		usedPercent: 79,
		resetAt: Date.now() + 3_600_000,
	} as const;
	h.pool.observeQuota(id, {fiveHour: undefined, weekly, observedAt: Date.now()});
	const withCap = (percent: number) =>
		h.pool.setRecords([{...h.pool.get(id)!.record, caps: {weekly: percent}}]);
	withCap(80);
	assert.equal(h.pool.isUsable(id), true);
	withCap(79);
	assert.equal(h.pool.isUsable(id), false);
	const answer = await fetch(`${h.url}/backend-api/codex/responses`, {
		method: 'POST',
		headers: {'content-type': 'application/json'},
		body: JSON.stringify(turnBody('hi')),
	});
	assert.equal(answer.status, 429, 'the only account is capped out: the pool says when to come back');
	const body = (await answer.json()) as {error: {type: string; resets_at: number}};
	assert.equal(body.error.type, 'usage_limit_reached');
	assert.ok(Math.abs(body.error.resets_at - weekly.resetAt / 1000) <= 1, 'the weekly reset');
});
