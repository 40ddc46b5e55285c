import assert from 'node:assert/strict';
import {test} from 'node:test';
import {createManualClock, HOUR} from '../../source/core/clock.ts';
import {type SimulatedUpstream, startSimulatedUpstream} from '../../source/core/simulated-backend/index.ts';
import {authHeaders, codexBody, completed, postResponses, streamEvents} from './helpers.ts';
import {completedResponse, openWs, type WsEvent, type WsTestClient} from './ws-client.ts';

async function start(t: {after: (fn: () => Promise<void>) => void}, options = {}) {
	const upstream = await startSimulatedUpstream({
		accounts: [{name: 'a'}, {name: 'b', plan: 'pro'}],
		...options,
	});
	t.after(() => upstream.close());
	return upstream;
}

async function connect(upstream: SimulatedUpstream, name = 'a'): Promise<WsTestClient> {
	const open = await openWs(upstream, name);
	assert.ok(open.ok, open.ok ? '' : `handshake refused: ${open.status} ${open.body}`);
	return open.client;
}

const errorCode = (events: readonly WsEvent[]) => (events[0]?.error as {code?: string} | undefined)?.code;
const types = (events: readonly WsEvent[]) => events.map((event) => event.type);
const deltas = (events: readonly WsEvent[]) =>
	events
		.filter((event) => event.type === 'response.output_text.delta')
		.map((event) => event.delta)
		.join('');

test('a response.create is answered with the same events as over SSE (and a response.metadata), after a codex.rate_limits frame', async (t) => {
	const upstream = await start(t);
	const open = await openWs(upstream, 'b');
	assert.ok(open.ok);
	assert.equal(open.headers['x-codex-plan-type'], 'pro');
	assert.equal(open.headers['x-codex-primary-window-minutes'], '300');
	const {events} = await open.client.request(codexBody('say hi'));
	const http = await streamEvents(await postResponses(upstream, 'b', codexBody('say hi')));
	assert.deepEqual(types(events), [
		'codex.rate_limits',
		'response.created',
		'response.metadata',
		...http.slice(1).map((event) => event.event),
	]);
	// A turn state of the account at the upgrade, another in the metadata (the one Codex 0.171 reads).
	const {turnStates} = upstream.websockets.connections()[0]!;
	assert.equal(open.headers['x-codex-turn-state'], turnStates.upgrade);
	assert.deepEqual(events[2]?.headers, {
		'x-codex-turn-state': turnStates.responses,
		'openai-model': codexBody('say hi').model,
	});
	assert.notEqual(turnStates.responses, turnStates.upgrade);
	assert.equal(upstream.issuerOf(turnStates.upgrade), 'b');
	assert.equal(upstream.issuerOf(turnStates.responses), 'b');
	assert.equal(open.headers['x-reasoning-included'], 'true');
	const limits = events[0] as unknown as {
		plan_type: string;
		rate_limits: {primary: Record<string, number>; secondary: Record<string, number>};
	};
	assert.equal(limits.plan_type, 'pro');
	assert.equal(limits.rate_limits.primary.window_minutes, 300);
	assert.equal(limits.rate_limits.secondary.window_minutes, 10080);
	assert.ok((limits.rate_limits.primary.reset_at ?? 0) > Date.now() / 1000);
	assert.equal(typeof limits.rate_limits.primary.used_percent, 'number');
	assert.equal(deltas(events), 'Hello from b. You said: say hi');
	assert.deepEqual(
		events.map((event) => event.sequence_number).filter((n) => n !== undefined),
		events
			.slice(1)
			.filter((event) => event.type !== 'response.metadata')
			.map((_, index) => index),
	);
	const [connection] = upstream.websockets.connections();
	assert.equal(connection?.account, 'b');
	assert.equal(connection?.headers.authorization, '[redacted]');
	assert.equal(connection?.requests[0]?.outcome, 'completed');
	assert.ok(upstream.log.some((entry) => entry.method === 'GET' && entry.status === 101));
	assert.equal(upstream.log.filter((entry) => entry.method === 'WS').length, 1);
	await open.client.close();
});

test('the handshake is authenticated like the POST: 401 for a bad or expired token, 429 for an exhausted account', async (t) => {
	const upstream = await start(t);
	const bad = await openWs(upstream, 'a', {...authHeaders(upstream, 'a'), authorization: 'Bearer nope'});
	assert.ok(!bad.ok);
	assert.equal(bad.status, 401);
	assert.match(bad.body, /token_invalidated/);
	const missingAccount = await openWs(upstream, 'a', {
		authorization: authHeaders(upstream, 'a').authorization ?? '',
	});
	assert.ok(!missingAccount.ok);
	assert.equal(missingAccount.status, 401);
	upstream.accounts.expireAccessTokens('a');
	const expired = await openWs(upstream, 'a');
	assert.ok(!expired.ok);
	assert.equal(expired.status, 401);
	assert.match(expired.body, /token_expired/);
	upstream.accounts.exhaust('b');
	const exhausted = await openWs(upstream, 'b');
	assert.ok(!exhausted.ok);
	assert.equal(exhausted.status, 429);
	const {error} = JSON.parse(exhausted.body) as {error: {type: string; resets_at: number}};
	assert.equal(error.type, 'usage_limit_reached');
	assert.ok(error.resets_at > Date.now() / 1000);
	assert.equal(exhausted.headers['x-codex-primary-used-percent'], '100');
	assert.equal(upstream.websockets.connections().length, 0);
});

test('upgrades can be refused (426 or 400) so a client falls back to HTTP', async (t) => {
	const upstream = await start(t);
	for (const status of [426, 400]) {
		upstream.websockets.upgrade = status;
		const refused = await openWs(upstream, 'a');
		assert.ok(!refused.ok);
		assert.equal(refused.status, status);
	}

	upstream.websockets.upgrade = 'accept';
	const client = await connect(upstream);
	await client.close();
});

test('a warm-up answers created and completed, generates nothing, uses no quota, and the next request chains from it', async (t) => {
	const upstream = await start(t);
	const client = await connect(upstream);
	const before = upstream.accounts.quota('a');
	const warm = await client.request({...codexBody('ignored'), generate: false});
	assert.deepEqual(types(warm.events), [
		'codex.rate_limits',
		'response.created',
		'response.metadata',
		'response.completed',
	]);
	const warmed = completedResponse(warm.events);
	assert.deepEqual(warmed?.output, []);
	assert.deepEqual(upstream.accounts.quota('a'), before);
	const next = await client.request({
		...codexBody('', {
			input: [{type: 'message', role: 'user', content: [{type: 'input_text', text: 'after warm-up'}]}],
		}),
		previous_response_id: warmed?.id,
	});
	assert.equal(deltas(next.events), 'Hello from a. You said: after warm-up');
	const [connection] = upstream.websockets.connections();
	assert.deepEqual(
		connection?.requests.map(({generate, items, fullItems}) => ({generate, items, fullItems})),
		[
			{generate: false, items: 2, fullItems: 2},
			{generate: true, items: 1, fullItems: 3},
		],
	);
	assert.ok((upstream.accounts.quota('a').fiveHour?.usedPercent ?? 0) >= (before.fiveHour?.usedPercent ?? 0));
	await client.close();
});

test("previous_response_id continues the connection's latest response; anything else is previous_response_not_found", async (t) => {
	const upstream = await start(t);
	const client = await connect(upstream);
	const first = completedResponse(
		(await client.request(codexBody('call lookup', {tools: [{type: 'function', name: 'lookup'}]}))).events,
	);
	const call = first?.output.find((item) => item.type === 'function_call');
	assert.ok(call);
	const output = {type: 'function_call_output', call_id: call.call_id, output: 'forty-two'};
	const second = await client.request({...codexBody('', {input: [output]}), previous_response_id: first?.id});
	assert.equal(deltas(second.events), 'Hello from a. The tool said: forty-two');
	const secondId = completedResponse(second.events)?.id;

	// Only the latest response is held: the first one is gone.
	const stale = await client.request({...codexBody('', {input: [output]}), previous_response_id: first?.id});
	assert.deepEqual(types(stale.events), ['error']);
	assert.deepEqual(stale.events[0], {
		type: 'error',
		status: 400,
		error: {
			type: 'invalid_request_error',
			code: 'previous_response_not_found',
			message: `Previous response with id '${first?.id}' not found.`,
			param: 'previous_response_id',
		},
	});
	// The socket stays usable, and a failed request does not replace what is held.
	const again = await client.request({...codexBody('more'), previous_response_id: secondId});
	assert.equal(again.events.at(-1)?.type, 'response.completed');
	await client.close();

	// A new connection holds nothing.
	const other = await connect(upstream);
	const lost = await other.request({...codexBody('more'), previous_response_id: secondId});
	assert.equal(errorCode(lost.events), 'previous_response_not_found');
	await other.close();
	const records = upstream.websockets.connections();
	assert.deepEqual(
		records[0]?.requests.map((request) => request.outcome),
		['completed', 'completed', 'error', 'completed'],
	);
	assert.equal(records[1]?.requests[0]?.errorCode, 'previous_response_not_found');
});

test('an incremental request is metered as the same request over HTTP', async (t) => {
	const upstream = await start(t);
	const client = await connect(upstream);
	const first = completedResponse((await client.request(codexBody('turn one'))).events);
	const nextItem = {type: 'message', role: 'user', content: [{type: 'input_text', text: 'turn two'}]};
	const ws = completedResponse(
		(await client.request({...codexBody('', {input: [nextItem]}), previous_response_id: first?.id})).events,
	);
	const full = codexBody('turn one');
	full.input = [...(full.input as unknown[]), ...(first?.output ?? []), nextItem];
	const http = completed(await streamEvents(await postResponses(upstream, 'a', full)));
	const wsTokens = ws?.usage.input_tokens as number;
	const httpTokens = http?.usage.input_tokens as number;
	assert.ok(Math.abs(wsTokens - httpTokens) / httpTokens < 0.02, `${wsTokens} vs ${httpTokens}`);
	await client.close();
});

test('an account exhausted while the socket is open gets a 429 error frame with the quota headers inside', async (t) => {
	const upstream = await start(t);
	const client = await connect(upstream);
	upstream.accounts.exhaust('a');
	const {events} = await client.request(codexBody('hi'));
	assert.equal(events.length, 1);
	const frame = events[0] as {
		type: string;
		status: number;
		error: Record<string, unknown>;
		headers: Record<string, string>;
	};
	assert.equal(frame.type, 'error');
	assert.equal(frame.status, 429);
	assert.equal(frame.error.type, 'usage_limit_reached');
	assert.ok((frame.error.resets_at as number) > Date.now() / 1000);
	assert.equal(frame.headers['x-codex-primary-used-percent'], '100');
	assert.equal(frame.headers['x-codex-plan-type'], 'plus');
	// Warm-ups generate nothing and still pass.
	const warm = await client.request({...codexBody('w'), generate: false});
	assert.equal(warm.events.at(-1)?.type, 'response.completed');
	await client.close();
});

test('the connection age limit (60 minutes on the simulated clock) answers websocket_connection_limit_reached and closes', async (t) => {
	const clock = createManualClock(Date.parse('2026-12-01T10:00:00Z'));
	const upstream = await start(t, {clock});
	const client = await connect(upstream);
	clock.advance(HOUR - 1);
	assert.equal((await client.request(codexBody('still fine'))).events.at(-1)?.type, 'response.completed');
	clock.advance(1);
	const late = await client.request(codexBody('too late'));
	assert.equal(late.events[0]?.type, 'error');
	assert.equal(errorCode(late.events), 'websocket_connection_limit_reached');
	assert.equal(await client.close(), 1000);
	const fresh = await connect(upstream);
	assert.equal((await fresh.request(codexBody('new socket'))).events.at(-1)?.type, 'response.completed');
	await fresh.close();
});

test('injected behaviours: a terminal usage-limit event mid-stream, a cut, a 1011 close, the age limit, error frames', async (t) => {
	const upstream = await start(t);
	const client = await connect(upstream);
	upstream.websockets.inject({kind: 'usage_limit_midstream', account: 'a'});
	const failed = await client.request(codexBody('long answer'));
	assert.equal(failed.events[1]?.type, 'response.created');
	const last = failed.events.at(-1) as {
		type: string;
		response: {status: string; error: Record<string, unknown>};
	};
	assert.equal(last.type, 'response.failed');
	assert.equal(last.response.status, 'failed');
	assert.equal(last.response.error.code, 'usage_limit_reached');
	assert.match(String(last.response.error.message), /usage limit has been reached/);
	assert.ok(failed.events.some((event) => event.type === 'response.output_item.added'));
	// The account is exhausted from then on.
	assert.equal((await client.request(codexBody('next'))).events[0]?.status, 429);
	await client.close();

	const b = await connect(upstream, 'b');
	upstream.websockets.inject({kind: 'error_frame', status: 503, account: 'b'});
	const overloaded = await b.request(codexBody('x'));
	assert.equal(overloaded.events[0]?.status, 503);
	upstream.websockets.inject({kind: 'connection_limit', account: 'b'});
	const limited = await b.request(codexBody('x'));
	assert.equal(errorCode(limited.events), 'websocket_connection_limit_reached');

	const cutClient = await connect(upstream, 'b');
	upstream.websockets.inject({kind: 'stream_cut'});
	const cut = await cutClient.request(codexBody('x'));
	assert.equal(cut.closed, 1006);
	assert.equal(cut.events[1]?.type, 'response.created');
	assert.ok(!cut.events.some((event) => event.type === 'response.completed'));

	const closeClient = await connect(upstream, 'b');
	upstream.websockets.inject({kind: 'close_1011'});
	const closed = await closeClient.request(codexBody('x'));
	assert.equal(closed.closed, 1011);
	assert.ok(!closed.events.some((event) => event.type === 'response.completed'));
	await new Promise((resolve) => setTimeout(resolve, 50));
	const outcomes = upstream.websockets.connections().flatMap((c) => c.requests.map((r) => r.outcome));
	assert.deepEqual(outcomes, ['failed', 'error', 'error', 'error', 'cut', 'closed']);
	assert.equal(upstream.websockets.openCount(), 0);
});

test('each connection counts frames and bytes received, and each request its items and previous_response_id', async (t) => {
	const upstream = await start(t);
	const client = await connect(upstream);
	const frame = JSON.stringify({type: 'response.create', ...codexBody('count me')});
	const first = completedResponse((await client.request(frame)).events);
	const second = JSON.stringify({
		type: 'response.create',
		...codexBody('', {input: [{type: 'message', role: 'user', content: 'and me'}]}),
		previous_response_id: first?.id,
	});
	await client.request(second);
	const processed = JSON.stringify({type: 'response.processed', response_id: first?.id});
	client.ws.send(processed);
	await client.request(codexBody('full again'));
	const [connection] = upstream.websockets.connections();
	assert.equal(connection?.framesReceived, 4);
	assert.equal(
		connection?.bytesReceived,
		Buffer.byteLength(frame) +
			Buffer.byteLength(second) +
			Buffer.byteLength(processed) +
			connection.requests[2]!.bytes,
	);
	assert.deepEqual(
		connection?.requests.map(({bytes, items, previousResponseId}) => ({bytes, items, previousResponseId})),
		[
			{bytes: Buffer.byteLength(frame), items: 2, previousResponseId: undefined},
			{bytes: Buffer.byteLength(second), items: 1, previousResponseId: first?.id},
			{bytes: connection.requests[2]!.bytes, items: 2, previousResponseId: undefined},
		],
	);
	upstream.websockets.closeAll();
	await new Promise((resolve) => setTimeout(resolve, 50));
	assert.equal(connection?.closeCode, 1001);
});

test('usage_limit_frame exhausts the account at request time, forget drops what the connection holds, skip lets requests through first', async (t) => {
	const upstream = await start(t);
	const client = await connect(upstream);
	upstream.websockets.inject({kind: 'forget', skip: 2});
	const first = completedResponse((await client.request(codexBody('one'))).events);
	const second = completedResponse(
		(await client.request({...codexBody('two'), previous_response_id: first?.id})).events,
	);
	assert.ok(second, 'the first two matching requests are let through');
	const forgotten = await client.request({...codexBody('three'), previous_response_id: second.id});
	assert.equal(errorCode(forgotten.events), 'previous_response_not_found');
	upstream.websockets.inject({kind: 'usage_limit_frame'});
	const limited = await client.request(codexBody('four'));
	assert.equal(limited.events[0]?.status, 429);
	assert.equal(upstream.accounts.quota('a').fiveHour?.isExhausted, true);
	const records = upstream.websockets.connections()[0]?.requests ?? [];
	assert.deepEqual(
		records.map((r) => [r.outcome, r.errorCode]),
		[
			['completed', undefined],
			['completed', undefined],
			['error', 'previous_response_not_found'],
			['error', 'usage_limit_reached'],
		],
	);
	assert.ok((records[0]?.inputBytes ?? 0) > 0);
	await client.close();
});
