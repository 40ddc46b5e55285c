import assert from 'node:assert/strict';
import test from 'node:test';
import {startRig} from '../helpers/rig.ts';
import {postTurn, sseEvents, turnBody} from './harness.ts';

test('a 429 usage_limit_reached cools the account and fails over invisibly', async (t) => {
	const h = await startRig({accounts: ['a', 'b']});
	t.after(() => h.close());
	h.upstream.faults.inject({kind: 'usage_limit_reached'});
	const {status, text} = await postTurn(h.url, turnBody('hi'), {'session-id': 's1'});
	assert.equal(status, 200);
	assert.equal(sseEvents(text).at(-1)?.type, 'response.completed');
	const entry = h.events.request[0]!;
	assert.equal(entry.failedOver.length, 1);
	const [failed] = entry.failedOver;
	assert.notEqual(entry.accountId, failed);
	const health = h.pool.get(failed!)?.health;
	assert.equal(health?.status, 'cooling');
	assert.equal(health?.status === 'cooling' && health.reason, 'quota');
	assert.equal(h.events.failover.length, 1);
	assert.equal(h.sessions.get('s1')?.accountId, entry.accountId);
});

test('5xx, rate limits and refused connections fail over too', async (t) => {
	const h = await startRig({accounts: ['a', 'b', 'c']});
	t.after(() => h.close());
	h.upstream.faults.inject({kind: 'server_error'});
	h.upstream.faults.inject({kind: 'rate_limit_exceeded'});
	const {status} = await postTurn(h.url, turnBody('hi'));
	assert.equal(status, 200);
	assert.equal(h.events.request[0]?.failedOver.length, 2);
	const reasons = h.pool
		.list()
		.map((account) => (account.health.status === 'cooling' ? account.health.reason : account.health.status))
		.sort();
	assert.deepEqual(reasons, ['ok', 'rate-limit', 'server']);
});

test('nothing fails over after the first byte: the stream ends with an error event, the account stays healthy', async (t) => {
	const h = await startRig({accounts: ['a', 'b']});
	t.after(() => h.close());
	h.upstream.faults.inject({kind: 'reset_after_first_byte'});
	const {status, text} = await postTurn(h.url, turnBody('hi'), {'session-id': 's1'});
	assert.equal(status, 200);
	const events = sseEvents(text);
	assert.equal(events[0]?.type, 'response.created');
	assert.equal(events.at(-1)?.type, 'response.failed');
	assert.equal(
		events.filter((event) => event.type === 'response.created').length,
		1,
		'no replay after the first byte',
	);
	const entry = h.events.request[0]!;
	assert.deepEqual(entry.failedOver, []);
	assert.match(entry.error ?? '', /broke|ended/);
	assert.equal(h.pool.get(entry.accountId!)?.health.status, 'ok');
	const next = await postTurn(h.url, turnBody('again'), {'session-id': 's1'});
	assert.equal(next.status, 200);
	assert.equal(h.events.request[1]?.accountId, entry.accountId, 'the session stays on its account');
});

test('every account exhausted: 429 usage_limit_reached with the earliest reset', async (t) => {
	const h = await startRig({accounts: ['a', 'b']});
	t.after(() => h.close());
	h.upstream.accounts.exhaust('a');
	h.upstream.accounts.exhaust('b', 'weekly');
	const response = await fetch(`${h.url}/backend-api/codex/responses`, {
		method: 'POST',
		headers: {'content-type': 'application/json'},
		body: JSON.stringify(turnBody('hi')),
	});
	assert.equal(response.status, 429);
	const body = (await response.json()) as {
		error: {type: string; resets_at: number; resets_in_seconds: number};
	};
	assert.equal(body.error.type, 'usage_limit_reached');
	const resets = [
		h.upstream.accounts.quota('a').fiveHour?.resetAt,
		h.upstream.accounts.quota('b').weekly.resetAt,
	];
	const earliest = Math.min(...resets.map((value) => Number(value)));
	assert.ok(Math.abs(body.error.resets_at - earliest) <= 1, `${body.error.resets_at} vs ${earliest}`);
	assert.ok(body.error.resets_in_seconds > 17_000 && body.error.resets_in_seconds <= 18_001);
	assert.equal(h.events.request.at(-1)?.status, 429);

	// Known exhausted: the next request is answered without asking the upstream again.
	const calls = h.upstream.log.length;
	const again = await fetch(`${h.url}/backend-api/codex/responses`, {
		method: 'POST',
		headers: {'content-type': 'application/json'},
		body: JSON.stringify(turnBody('hi')),
	});
	assert.equal(again.status, 429);
	assert.equal(h.upstream.log.length, calls);
});

test('waitUpTo holds a request until an account becomes usable', async (t) => {
	const h = await startRig({accounts: ['a'], waitUpToMs: 2000});
	t.after(() => h.close());
	h.pool.markCooling(h.id('a'), Date.now() + 300, 'rate-limit');
	const started = Date.now();
	const {status} = await postTurn(h.url, turnBody('hi'));
	assert.equal(status, 200);
	assert.ok(Date.now() - started >= 250, 'it waited for the cooling to end');
});

test('waitUpTo does not hold a request when nothing is usable within it', async (t) => {
	// A long wait allowed, so answering at once and having waited it out are far apart even on a busy machine.
	const h = await startRig({accounts: ['a'], waitUpToMs: 20_000});
	t.after(() => h.close());
	h.pool.markCooling(h.id('a'), Date.now() + 60_000, 'quota');
	const started = Date.now();
	const {status} = await postTurn(h.url, turnBody('hi'));
	assert.equal(status, 429);
	assert.ok(Date.now() - started < 5000, 'answered without waiting');
});

test('the upstream unreachable: 503 that says so, accounts backed off', async (t) => {
	const h = await startRig({accounts: ['a']});
	t.after(() => h.close());
	await h.upstream.close();
	const response = await fetch(`${h.url}/backend-api/codex/responses`, {
		method: 'POST',
		headers: {'content-type': 'application/json'},
		body: JSON.stringify(turnBody('hi')),
	});
	assert.equal(response.status, 503);
	const body = (await response.json()) as {error: {type: string; message: string}};
	assert.equal(body.error.type, 'upstream_unavailable');
	assert.equal(h.pool.get(h.id('a'))?.health.status, 'cooling');
});
