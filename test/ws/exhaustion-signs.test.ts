import assert from 'node:assert/strict';
import test from 'node:test';
import {startRig} from '../helpers/rig.ts';
import {baseFields, connectClient, userItem} from './relay-harness.ts';

/*
The signs of an exhausted account over WebSocket, each proved through the whole pool (the rig: what serve
runs) on the simulated upstream: a 429 usage_limit_reached at the handshake, an error frame with status 429,
and a terminal usage-limit `response.failed` in the middle of a stream. Each marks the account exhausted
until the reset it carries; the next request goes to another account. (test/proxy/exhaustion-signs.test.ts
has the HTTP ones.)
*/

const wsUrl = (url: string) => `${url.replace(/^http/, 'ws')}/backend-api/codex/responses`;

/** The account's rest, as the pool has it: until when it counts as exhausted for its quota. */
function quotaRest(h: Awaited<ReturnType<typeof startRig>>, name: string): number | undefined {
	const health = h.pool.get(h.id(name))?.health;
	return health?.status === 'cooling' && health.reason === 'quota' ? health.until : undefined;
}

/** The reset of the window the simulated upstream exhausted (the 5-hour one), in ms. */
const upstreamReset = (h: Awaited<ReturnType<typeof startRig>>, name: string) =>
	(h.upstream.accounts.quota(name).fiveHour?.resetAt ?? 0) * 1000;

test('sign on WebSocket: a 429 usage_limit_reached at the handshake marks the account exhausted until its reset; the session opens on another', async (t) => {
	const h = await startRig({accounts: ['a', 'b']});
	t.after(() => h.close());
	h.upstream.accounts.exhaust('a');
	// b counts as just picked: a is the first choice, and refuses the handshake.
	h.pool.markPicked(h.id('b'));
	const client = await connectClient(wsUrl(h.url), {'session-id': 's1'});
	t.after(() => client.socket.close());
	const answer = await client.request({...baseFields, input: [userItem('hi')]});
	assert.equal(answer.at(-1)?.type, 'response.completed', 'the client sees nothing of it');
	assert.equal(h.events.request.at(-1)?.accountId, h.id('b'));
	assert.equal(quotaRest(h, 'a'), upstreamReset(h, 'a'), 'until the reset the 429 carries');
	assert.equal(h.pool.isUsable(h.id('a')), false);
	const other = await connectClient(wsUrl(h.url), {'session-id': 's2'});
	t.after(() => other.socket.close());
	const next = await other.request({...baseFields, input: [userItem('again')]});
	assert.equal(next.at(-1)?.type, 'response.completed');
	assert.equal(h.events.request.at(-1)?.accountId, h.id('b'), 'the next session goes elsewhere too');
});

test('sign on WebSocket: an error frame 429 usage_limit_reached marks the account exhausted until its reset; the request and the next go elsewhere', async (t) => {
	const h = await startRig({accounts: ['a', 'b']});
	t.after(() => h.close());
	h.pool.markPicked(h.id('b'));
	// a lets the handshake and the first request through, then answers the second with the 429 error frame.
	h.upstream.websockets.inject({kind: 'usage_limit_frame', account: 'a', skip: 1});
	const client = await connectClient(wsUrl(h.url), {'session-id': 's1'});
	t.after(() => client.socket.close());
	const first = await client.request({...baseFields, input: [userItem('one')]});
	assert.equal(first.at(-1)?.type, 'response.completed');
	assert.equal(h.events.request.at(-1)?.accountId, h.id('a'));
	const second = await client.request({...baseFields, input: [userItem('one'), userItem('two')]});
	assert.equal(second.at(-1)?.type, 'response.completed', 'before any event: the client sees nothing');
	assert.ok(!second.some((frame) => frame.type === 'error'));
	assert.equal(h.events.request.at(-1)?.accountId, h.id('b'));
	assert.equal(h.events.move.length, 1, 'the session moved');
	assert.equal(quotaRest(h, 'a'), upstreamReset(h, 'a'), 'until the reset the frame carries');
	const third = await client.request({
		...baseFields,
		input: [userItem('one'), userItem('two'), userItem('3')],
	});
	assert.equal(third.at(-1)?.type, 'response.completed');
	assert.equal(h.events.request.at(-1)?.accountId, h.id('b'), 'the next request goes elsewhere');
});

test('sign on WebSocket: a usage-limit response.failed mid-stream is passed on, marks the account exhausted until its reset, and the next request moves', async (t) => {
	const h = await startRig({accounts: ['a', 'b']});
	t.after(() => h.close());
	h.pool.markPicked(h.id('b'));
	h.upstream.websockets.inject({kind: 'usage_limit_midstream', account: 'a'});
	const client = await connectClient(wsUrl(h.url), {'session-id': 's1'});
	t.after(() => client.socket.close());
	const first = await client.request({...baseFields, input: [userItem('one')]});
	assert.ok(
		first.some((frame) => frame.type === 'response.output_item.done' || frame.type === 'response.created'),
		'part of the answer reached the client',
	);
	const last = first.at(-1) as {type: string; response?: {error?: {code?: string; resets_at?: number}}};
	assert.equal(last.type, 'response.failed', 'the stream ends with the event passed on');
	assert.equal(last.response?.error?.code, 'usage_limit_reached');
	assert.equal(h.events.request.at(-1)?.accountId, h.id('a'));
	assert.equal(
		quotaRest(h, 'a'),
		(last.response?.error?.resets_at ?? 0) * 1000,
		'until the reset it carries',
	);
	assert.equal(h.pool.isUsable(h.id('a')), false);
	const next = await client.request({...baseFields, input: [userItem('one'), userItem('again')]});
	assert.equal(next.at(-1)?.type, 'response.completed');
	assert.equal(h.events.request.at(-1)?.accountId, h.id('b'), 'the next request goes elsewhere');
	assert.equal(h.events.move.length, 1, 'the session moved');
});

test('sign on WebSocket: an error frame 429 after output has reached the client is passed on, marks the account exhausted until its reset, and the next request moves', async (t) => {
	const h = await startRig({accounts: ['a', 'b']});
	t.after(() => h.close());
	h.pool.markPicked(h.id('b'));
	h.upstream.websockets.inject({kind: 'usage_limit_frame_midstream', account: 'a'});
	const client = await connectClient(wsUrl(h.url), {'session-id': 's1'});
	t.after(() => client.socket.close());
	const first = await client.request({...baseFields, input: [userItem('one')]});
	assert.ok(
		first.some((frame) => frame.type === 'response.output_item.done'),
		'part of the answer reached the client',
	);
	const last = first.at(-1) as {type: string; status?: number; error?: {type?: string; resets_at?: number}};
	assert.equal(last.type, 'error', 'the stream ends with the frame passed on');
	assert.equal(last.status, 429);
	assert.equal(last.error?.type, 'usage_limit_reached');
	assert.equal(h.events.request.at(-1)?.accountId, h.id('a'));
	assert.equal(quotaRest(h, 'a'), (last.error?.resets_at ?? 0) * 1000, 'until the reset it carries');
	assert.equal(h.pool.isUsable(h.id('a')), false);
	const next = await client.request({...baseFields, input: [userItem('one'), userItem('again')]});
	assert.equal(next.at(-1)?.type, 'response.completed');
	assert.equal(h.events.request.at(-1)?.accountId, h.id('b'), 'the next request goes elsewhere');
	assert.equal(h.events.move.length, 1, 'the session moved');
});

test('sign on WebSocket without a reset: a usage-limit response.failed rests the account until the next usage poll, which then tells when it comes back', async (t) => {
	const h = await startRig({accounts: ['a', 'b']});
	t.after(() => h.close());
	h.pool.markPicked(h.id('b'));
	h.upstream.websockets.inject({kind: 'usage_limit_midstream', account: 'a', withoutReset: true});
	const client = await connectClient(wsUrl(h.url), {'session-id': 's1'});
	t.after(() => client.socket.close());
	const first = await client.request({...baseFields, input: [userItem('one')]});
	const last = first.at(-1) as {type: string; response?: {error?: {resets_at?: number}}};
	assert.equal(last.type, 'response.failed', 'passed on');
	assert.equal(last.response?.error?.resets_at, undefined, 'no reset carried');
	const health = h.pool.get(h.id('a'))?.health;
	assert.equal(health?.status === 'cooling' && health.untilPoll, true, 'until the next usage poll');
	const next = await client.request({...baseFields, input: [userItem('one'), userItem('again')]});
	assert.equal(next.at(-1)?.type, 'response.completed');
	assert.equal(h.events.request.at(-1)?.accountId, h.id('b'), 'the next request goes elsewhere');
	// The poll finds the 5-hour window used up: the account waits for its reset.
	await h.core.proxy.pollUsage(h.id('a'));
	assert.equal(h.pool.isUsable(h.id('a')), false);
	assert.equal(h.pool.usableAt(h.id('a')), upstreamReset(h, 'a'), 'until the reset the poll reports');
});
