import assert from 'node:assert/strict';
import test from 'node:test';
import {createManualClock, systemClock} from '../../source/core/clock.ts';
import {
	isUsageLimitError,
	markExhausted,
	resetOfError,
	UNKNOWN_RESET_MS,
} from '../../source/core/pool/exhaustion.ts';
import {createPool} from '../../source/core/pool/pool.ts';
import {pollUsage} from '../../source/core/proxy/usage-poll.ts';
import {startRig} from '../helpers/rig.ts';
import {makeAccount} from '../store/fixtures.ts';
import {postTurn, sseEvents, turnBody} from './harness.ts';

/*
The signs of an exhausted account to an HTTP client, each proved on the simulated upstream, whether the pool
reaches it over its WebSocket (the default) or by POST: a 429 usage_limit_reached, and a terminal usage-limit
`response.failed` in the middle of a stream. Both go through markExhausted (the WebSocket clients' signs,
test/ws/exhaustion-signs.test.ts, call it too).
*/

// HTTP clients reach the upstream over its WebSocket (the default) or by POST: the signs are the same.
for (const upstream of ['upstream WebSocket', 'upstream POST'] as const) {
	test(`sign (${upstream}): 429 usage_limit_reached marks the account exhausted until the reset it carries`, async (t) => {
		const h = await startRig({
			accounts: ['a', 'b'],
			settings: {upstreamWebSocket: upstream === 'upstream WebSocket'},
		});
		t.after(() => h.close());
		h.upstream.faults.inject({kind: 'usage_limit_reached', account: 'a'});
		// round-robin: the first pick is a, which answers 429; the request fails over to b.
		const {status, text} = await postTurn(h.url, turnBody('hi'), {'session-id': 's1'});
		assert.equal(status, 200);
		assert.equal(sseEvents(text).at(-1)?.type, 'response.completed');
		const health = h.pool.get(h.id('a'))?.health;
		assert.equal(health?.status === 'cooling' && health.reason, 'quota');
		// The 429 carries the 5-hour window's reset: the sliding one of an idle window, 5 h from now.
		const fiveHours = 5 * 3_600_000;
		assert.ok(
			health?.status === 'cooling' && Math.abs(health.until - (Date.now() + fiveHours)) <= 5000,
			`until the carried reset (${health?.status === 'cooling' ? health.until - Date.now() : '-'} ms from now)`,
		);
		const next = await postTurn(h.url, turnBody('again'), {'session-id': 's2'});
		assert.equal(next.status, 200);
		assert.equal(h.events.request.at(-1)?.accountId, h.id('b'), 'the next request goes elsewhere');
		const method = upstream === 'upstream POST' ? 'POST' : 'WS';
		assert.ok(
			h.upstream.log.some(
				(entry) => entry.method === method && entry.path === '/backend-api/codex/responses',
			),
			`the requests went upstream by ${method}`,
		);
	});

	test(`sign (${upstream}): a usage-limit response.failed mid-stream is passed on, marks the account exhausted, and the session moves`, async (t) => {
		const h = await startRig({
			accounts: ['a', 'b'],
			settings: {upstreamWebSocket: upstream === 'upstream WebSocket'},
		});
		t.after(() => h.close());
		h.upstream.faults.inject({kind: 'response_failed_usage_limit', account: 'a'});
		const {status, text} = await postTurn(h.url, turnBody('hi'), {'session-id': 's1'});
		assert.equal(status, 200);
		const events = sseEvents(text);
		assert.ok(
			events.some(
				(event) => event.type === 'response.output_text.delta' || event.type === 'response.output_item.added',
			),
			'output reached the client first',
		);
		const last = events.at(-1) as {type: string; response?: {error?: {code?: string; resets_at?: number}}};
		assert.equal(last.type, 'response.failed', 'the stream ends with the event passed on');
		assert.equal(last.response?.error?.code, 'usage_limit_reached');
		const entry = h.events.request[0]!;
		assert.equal(entry.accountId, h.id('a'));
		assert.deepEqual(entry.failedOver, [], 'nothing is replayed once the client saw output');
		const health = h.pool.get(h.id('a'))?.health;
		assert.equal(health?.status === 'cooling' && health.reason, 'quota');
		assert.ok(
			health?.status === 'cooling' && health.until === last.response!.error!.resets_at! * 1000,
			'until the reset the event carries',
		);
		assert.equal(h.pool.isUsable(h.id('a')), false);
		const next = await postTurn(h.url, turnBody('again'), {'session-id': 's1'});
		assert.equal(next.status, 200);
		assert.equal(sseEvents(next.text).at(-1)?.type, 'response.completed');
		assert.equal(h.events.request.at(-1)?.accountId, h.id('b'), 'the next request goes elsewhere');
		assert.equal(h.events.move.length, 1, 'the session moved');
	});
}

test('a sign without a reset rests the account until the next usage poll says', async (t) => {
	const h = await startRig({accounts: ['a']});
	t.after(() => h.close());
	const now = Date.now();
	const until = markExhausted(h.pool, h.id('a'), undefined, now);
	assert.equal(until, now + UNKNOWN_RESET_MS);
	assert.equal(h.pool.isUsable(h.id('a')), false);
	// The poll shows the account with quota left: the rest ends, the windows now tell.
	await pollUsage(h.core.proxy.engine, h.pool, systemClock, h.id('a'));
	assert.equal(h.pool.isUsable(h.id('a')), true);
});

test('a sign without a reset, while a window is known at 100 %, rests until that window resets', () => {
	const clock = createManualClock(0);
	const pool = createPool({clock, records: []});
	pool.setRecords([makeAccount('a', {name: 'a'})]);
	pool.observeQuota('a', {
		fiveHour: {kind: 'five-hour', lengthMinutes: 300, usedPercent: 100, resetAt: 7_000_000},
		weekly: undefined,
		observedAt: 0,
	});
	assert.equal(markExhausted(pool, 'a', undefined, 0), 7_000_000);
	assert.equal(markExhausted(pool, 'a', 9_000_000, 0), 9_000_000, 'a carried reset wins');
});

test('what says "usage limit": the code, the type, or the message; and the reset it carries', () => {
	assert.equal(isUsageLimitError({code: 'usage_limit_reached'}), true);
	assert.equal(isUsageLimitError({type: 'usage_limit_reached', message: 'x'}), true);
	assert.equal(isUsageLimitError({code: 'insufficient_quota'}), true);
	assert.equal(isUsageLimitError({code: 'server_error', message: 'The usage limit has been reached'}), true);
	assert.equal(isUsageLimitError({code: 'rate_limit_exceeded', message: 'try again in 1.5s'}), false);
	assert.equal(isUsageLimitError(undefined), false);
	assert.equal(resetOfError({resets_at: 100}, 0), 100_000);
	assert.equal(resetOfError({resets_in_seconds: 5}, 1000), 6000);
	assert.equal(resetOfError({}, 0), undefined);
});

for (const [kind, upstream] of [
	['usage_limit_reached', 'upstream WebSocket'],
	['response_failed_usage_limit', 'upstream WebSocket'],
	['usage_limit_reached', 'upstream POST'],
	['response_failed_usage_limit', 'upstream POST'],
] as const) {
	test(`sign without a reset (${kind}, ${upstream}): the account rests until the next usage poll says, which ends it when quota is left`, async (t) => {
		const h = await startRig({
			accounts: ['a', 'b'],
			settings: {upstreamWebSocket: upstream === 'upstream WebSocket'},
		});
		t.after(() => h.close());
		h.upstream.faults.inject({kind, account: 'a', withoutReset: true});
		const before = Date.now();
		const {status, text} = await postTurn(h.url, turnBody('hi'), {'session-id': 's1'});
		assert.equal(status, 200);
		if (kind === 'response_failed_usage_limit') {
			assert.equal(sseEvents(text).at(-1)?.type, 'response.failed', 'passed on');
		}

		const health = h.pool.get(h.id('a'))?.health;
		assert.equal(health?.status === 'cooling' && health.reason, 'quota');
		assert.equal(health?.status === 'cooling' && health.untilPoll, true, 'until the next usage poll');
		assert.ok(health?.status === 'cooling' && health.until - before <= UNKNOWN_RESET_MS + 1000);
		assert.equal(h.pool.isUsable(h.id('a')), false);
		const next = await postTurn(h.url, turnBody('again'), {'session-id': 's2'});
		assert.equal(next.status, 200);
		assert.equal(h.events.request.at(-1)?.accountId, h.id('b'), 'the next request goes elsewhere');
		// The account's real quota was never used up: the poll says so, and the rest ends.
		await h.core.proxy.pollUsage(h.id('a'));
		assert.equal(h.pool.isUsable(h.id('a')), true);
	});
}

test('sign (upstream WebSocket): an error frame 429 after output has reached an HTTP client ends its stream, marks the account exhausted until its reset, and the next request moves', async (t) => {
	const h = await startRig({accounts: ['a', 'b']});
	t.after(() => h.close());
	h.upstream.websockets.inject({kind: 'usage_limit_frame_midstream', account: 'a'});
	const {status, text} = await postTurn(h.url, turnBody('hi'), {'session-id': 's1'});
	assert.equal(status, 200);
	const events = sseEvents(text);
	assert.ok(
		events.some((event) => event.type === 'response.output_item.done'),
		'output reached the client first',
	);
	assert.notEqual(events.at(-1)?.type, 'response.completed', 'the stream ends with the failure');
	assert.equal(h.events.request[0]?.accountId, h.id('a'));
	const reset = (h.upstream.accounts.quota('a').fiveHour?.resetAt ?? 0) * 1000;
	const health = h.pool.get(h.id('a'))?.health;
	assert.equal(health?.status === 'cooling' && health.reason, 'quota');
	assert.equal(health?.status === 'cooling' && health.until, reset, 'until the reset the frame carries');
	const next = await postTurn(h.url, turnBody('again'), {'session-id': 's1'});
	assert.equal(next.status, 200);
	assert.equal(sseEvents(next.text).at(-1)?.type, 'response.completed');
	assert.equal(h.events.request.at(-1)?.accountId, h.id('b'), 'the next request goes elsewhere');
});
