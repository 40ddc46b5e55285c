import assert from 'node:assert/strict';
import {once} from 'node:events';
import fs from 'node:fs';
import test from 'node:test';
import WebSocket from 'ws';
import {listenHttpsMirror} from '../../source/core/tls/https-mirror.ts';
import {ensureLocalCertificates} from '../../source/core/tls/local-ca.ts';
import {tempDir} from '../store/fixtures.ts';
import {usageLimitFrame} from './fake-upstream.ts';
import {baseFields, connectClient, startRelayHarness, userItem} from './relay-harness.ts';

/** The id of the response whose frames end with response.completed. */
function responseId(frames: readonly Record<string, unknown>[]): string {
	return String((frames.at(-1)?.response as {id?: unknown} | undefined)?.id);
}

function inputLength(body: Record<string, unknown> | undefined): number {
	return Array.isArray(body?.input) ? body.input.length : -1;
}

const developer = {
	type: 'message',
	role: 'developer',
	content: [{type: 'input_text', text: 'base instructions'}],
};

/** Warm-up, then two incremental requests, as Codex sends them on one socket. */
async function warmAndTwoTurns(client: Awaited<ReturnType<typeof connectClient>>) {
	const warm = await client.request({...baseFields, generate: false, input: [developer]});
	const warmId = responseId(warm);
	const first = await client.request({...baseFields, previous_response_id: warmId, input: [userItem('one')]});
	const firstId = responseId(first);
	return {warm, first, firstId};
}

test('frames pass both ways untouched while the session stays on its account', async (t) => {
	const h = await startRelayHarness(['a', 'b']);
	t.after(() => h.close());
	const client = await connectClient(h.wsUrl);
	const {first, firstId} = await warmAndTwoTurns(client);
	assert.deepEqual(
		first.map((frame) => frame.type),
		[
			'codex.rate_limits',
			'response.created',
			'response.output_item.done',
			'response.output_text.delta',
			'response.output_item.done',
			'response.completed',
		],
	);
	const second = {
		...baseFields,
		type: 'response.create',
		previous_response_id: firstId,
		input: [userItem('two')],
	};
	client.socket.send(JSON.stringify(second));
	await new Promise((resolve) => setTimeout(resolve, 100));
	// One upstream socket, the account's token, and the frames as the client sent them (byte for byte).
	assert.equal(new Set(h.upstream.received.map((entry) => entry.connection)).size, 1);
	assert.equal(h.upstream.received.at(-1)?.text, JSON.stringify(second));
	const account = h.upstream.received[0]!.accountId;
	assert.equal(h.upstream.handshakes[0]?.headers.authorization, `Bearer tok-${account}-1`);
	assert.equal(h.upstream.handshakes[0]?.headers['session-id'], 'sess-1');
	assert.equal(h.upstream.handshakes[0]?.headers['openai-beta'], 'responses_websockets=2026-02-06');
	// One request-log entry per response.create, with its time to first event; the session is a WebSocket one.
	assert.equal(h.events.request.length, 3);
	assert.ok(h.events.request.every((entry) => entry.transport === 'websocket' && entry.ttfbMs !== undefined));
	assert.equal(h.proxy.sessions.get('sess-1')?.transport, 'websocket');
	assert.equal(h.proxy.sessions.get('sess-1')?.turns, 3);
	// The quota frame reached the pool; the encrypted item's issuer is known.
	assert.equal(h.proxy.pool.get(account)?.quota?.fiveHour?.usedPercent, 12);
	assert.equal(h.proxy.issuers.issuerOf(`enc-${account}-resp_2`), account);
});

test("a move at a request boundary sends the whole conversation, without the old account's reasoning", async (t) => {
	const h = await startRelayHarness(['a', 'b']);
	t.after(() => h.close());
	const client = await connectClient(h.wsUrl);
	const {firstId} = await warmAndTwoTurns(client);
	const from = h.upstream.received[0]!.accountId;
	h.proxy.pool.markCooling(from, Date.now() + 3_600_000, 'quota');
	const answer = await client.request({
		...baseFields,
		previous_response_id: firstId,
		input: [userItem('two')],
	});
	assert.equal(answer.at(-1)?.type, 'response.completed');
	const last = h.upstream.received.at(-1)!;
	assert.notEqual(last.accountId, from);
	assert.equal(last.body.previous_response_id, undefined);
	const input = last.body.input as {type: string; role?: string}[];
	// developer + user one + the assistant message (its reasoning removed) + user two.
	assert.deepEqual(
		input.map((item) => `${item.type}:${item.role ?? ''}`),
		['message:developer', 'message:user', 'message:assistant', 'message:user'],
	);
	assert.equal(h.events.move.length, 1);
	assert.match(h.events.move[0]!.reason, /usage limit; 1 encrypted reasoning item\(s\) removed/);
	// The next request chains on the new account's socket again, incrementally.
	const nextId = responseId(answer);
	const third = await client.request({
		...baseFields,
		previous_response_id: nextId,
		input: [userItem('three')],
	});
	assert.equal(third.at(-1)?.type, 'response.completed');
	assert.deepEqual(h.upstream.received.at(-1)?.body.input, [userItem('three')]);
});

test('an error frame 429 before the first event fails over with the full input; the client sees nothing', async (t) => {
	let exhausted: string | undefined;
	const h = await startRelayHarness(['a', 'b'], {
		behaviour: {
			answer: (request) =>
				request.accountId === exhausted
					? [
							usageLimitFrame(900, {
								'x-codex-primary-used-percent': '100',
								'x-codex-primary-window-minutes': '300',
							}),
						]
					: undefined,
		},
	});
	t.after(() => h.close());
	const client = await connectClient(h.wsUrl);
	const {firstId} = await warmAndTwoTurns(client);
	exhausted = h.upstream.received[0]!.accountId;
	const answer = await client.request({
		...baseFields,
		previous_response_id: firstId,
		input: [userItem('two')],
	});
	assert.deepEqual(
		answer.map((frame) => frame.type).filter((type) => type === 'error'),
		[],
	);
	assert.equal(answer.at(-1)?.type, 'response.completed');
	assert.notEqual(h.upstream.received.at(-1)?.accountId, exhausted);
	assert.equal(h.proxy.pool.get(exhausted)?.quota?.fiveHour?.usedPercent, 100);
	assert.equal(h.proxy.pool.isUsable(exhausted), false);
	assert.deepEqual(h.events.request.at(-1)?.failedOver, [exhausted]);
});

test('every account exhausted: an error frame 429 usage_limit_reached with the earliest resets_at', async (t) => {
	const h = await startRelayHarness(['a', 'b'], {behaviour: {handshake: () => 429}});
	t.after(() => h.close());
	const client = await connectClient(h.wsUrl);
	const answer = await client.request({...baseFields, input: [userItem('hi')]});
	assert.equal(answer.length, 1);
	const error = answer[0] as {type: string; status: number; error: {type: string; resets_at: number}};
	assert.equal(error.type, 'error');
	assert.equal(error.status, 429);
	assert.equal(error.error.type, 'usage_limit_reached');
	assert.ok(error.error.resets_at > Date.now() / 1000);
	assert.equal(h.events.request.at(-1)?.status, 429);
});

test('the connection-age limit and an idle close are hidden: a new upstream socket gets the full input', async (t) => {
	let limitOnce = true;
	const h = await startRelayHarness(['a'], {
		behaviour: {
			answer(request) {
				if (request.body.previous_response_id === undefined || !limitOnce) {
					return undefined;
				}

				limitOnce = false;
				const error = {
					type: 'invalid_request_error',
					code: 'websocket_connection_limit_reached',
					message: 'limit',
				};
				return [JSON.stringify({type: 'error', status: 400, error})];
			},
		},
	});
	t.after(() => h.close());
	const client = await connectClient(h.wsUrl);
	const {firstId} = await warmAndTwoTurns(client);
	assert.equal(h.upstream.received.length, 3, 'warm-up, the limited request, its resend');
	assert.equal(h.upstream.received[2]?.connection, 2);
	assert.equal(inputLength(h.upstream.received[2]?.body), 2);
	// The upstream closes the idle socket (1011); the next request opens another and sends everything.
	h.upstream.closeAll(1011);
	await new Promise((resolve) => setTimeout(resolve, 50));
	const answer = await client.request({
		...baseFields,
		previous_response_id: firstId,
		input: [userItem('two')],
	});
	assert.equal(answer.at(-1)?.type, 'response.completed');
	assert.equal(h.upstream.received.at(-1)?.connection, 3);
	assert.equal(inputLength(h.upstream.received.at(-1)?.body), 5);
	assert.ok(h.events.request.every((entry) => entry.error === undefined));
});

test('a 401 at the handshake refreshes the token once and retries', async (t) => {
	const h = await startRelayHarness(['a'], {
		behaviour: {
			handshake: (_account, authorization) => (authorization === 'Bearer tok-a-1' ? 401 : undefined),
		},
	});
	t.after(() => h.close());
	const client = await connectClient(h.wsUrl);
	const answer = await client.request({...baseFields, input: [userItem('hi')]});
	assert.equal(answer.at(-1)?.type, 'response.completed');
	assert.equal(h.tokens.refreshes(), 1);
	assert.equal(h.upstream.handshakes.at(-1)?.headers.authorization, 'Bearer tok-a-2');
});

test('open sockets are bounded (503 at the handshake) and a client close closes its upstream', async (t) => {
	const h = await startRelayHarness(['a'], {maxWebSockets: 1});
	t.after(() => h.close());
	const client = await connectClient(h.wsUrl);
	await client.request({...baseFields, input: [userItem('hi')]});
	assert.equal(h.upstream.openSockets(), 1);
	await assert.rejects(connectClient(h.wsUrl, {'session-id': 'other'}), /503/);
	client.socket.close();
	await client.closed;
	await new Promise((resolve) => setTimeout(resolve, 100));
	assert.equal(h.upstream.openSockets(), 0);
	assert.equal(h.proxy.webSockets.openSockets(), 0);
});

test('an upstream that refuses WebSocket (426) makes the pool answer 426 too, so Codex falls back at once', async (t) => {
	const h = await startRelayHarness(['a', 'b'], {behaviour: {handshake: () => 426}});
	t.after(() => h.close());
	await assert.rejects(connectClient(h.wsUrl), /426/);
	// Remembered: the next client is refused without another upstream handshake.
	await assert.rejects(connectClient(h.wsUrl), /426/);
	assert.equal(h.upstream.handshakes.length, 1);
	assert.equal(h.proxy.pool.isUsable('a') && h.proxy.pool.isUsable('b'), true);
});

test("the upgrade works over TLS too (the HTTPS listener Codex's built-in provider may use)", async (t) => {
	const h = await startRelayHarness(['a']);
	t.after(() => h.close());
	const certificates = ensureLocalCertificates(tempDir());
	const mirror = await listenHttpsMirror(h.nodeServer, certificates, 0);
	t.after(() => mirror.close());
	const socket = new WebSocket(`${mirror.url.replace('https', 'wss')}/backend-api/codex/responses`, {
		ca: fs.readFileSync(certificates.caPath, 'utf8'),
		headers: {'session-id': 'tls-session'},
	});
	const frames: {type?: string}[] = [];
	socket.on('message', (data) => frames.push(JSON.parse(data.toString()) as {type?: string}));
	await once(socket, 'open');
	socket.send(JSON.stringify({type: 'response.create', ...baseFields, input: [userItem('over tls')]}));
	while (!frames.some((frame) => frame.type === 'response.completed')) {
		await once(socket, 'message');
	}

	socket.close();
	assert.equal(h.upstream.received.at(-1)?.accountId, 'a');
	assert.equal(h.proxy.sessions.get('tls-session')?.transport, 'websocket');
});

test('--wait-up-to applies as on HTTP: a request waits for the first account to come back', async (t) => {
	const h = await startRelayHarness(['a', 'b'], {waitUpToMs: 5000});
	t.after(() => h.close());
	const back = Date.now() + 400;
	h.proxy.pool.markCooling('a', back, 'quota');
	h.proxy.pool.markCooling('b', Date.now() + 3_600_000, 'quota');
	const client = await connectClient(h.wsUrl);
	const answer = await client.request({...baseFields, input: [userItem('hi')]});
	assert.equal(answer.at(-1)?.type, 'response.completed');
	assert.ok(Date.now() >= back);
	assert.equal(h.upstream.received.at(-1)?.accountId, 'a');
});
