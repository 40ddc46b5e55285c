import assert from 'node:assert/strict';
import {request as httpRequest} from 'node:http';
import test from 'node:test';
import {request} from 'undici';
import {startRig} from '../helpers/rig.ts';
import {postTurn, sseEvents, turnBody} from './harness.ts';

test('sse events arrive in the upstream order and usage is recorded', async (t) => {
	const h = await startRig({accounts: ['a']});
	t.after(() => h.close());
	h.upstream.settings.deltaCount = 40;
	h.upstream.settings.streamChunks = 10;

	const {status, text, headers} = await postTurn(h.url, turnBody('say hi'), {'session-id': 's1'});
	assert.equal(status, 200);
	assert.match(headers.get('content-type') ?? '', /text\/event-stream/);
	const types = sseEvents(text).map((event) => event.type);
	assert.equal(types[0], 'response.created');
	assert.equal(types.at(-1), 'response.completed');
	assert.equal(types.filter((type) => type === 'response.output_text.delta').length, 40);
	// Deltas in order spell the final text exactly.
	const events = sseEvents(text);
	const deltas = events
		.filter((event) => event.type === 'response.output_text.delta')
		.map((event) => event.delta);
	const done = events.find((event) => event.type === 'response.output_text.done');
	assert.equal(deltas.join(''), done?.text);

	assert.equal(h.events.request.length, 1);
	const entry = h.events.request[0]!;
	assert.equal(entry.status, 200);
	assert.equal(entry.accountId, h.id('a'));
	assert.ok(entry.inputTokens > 0 && entry.outputTokens > 0);
	assert.equal(entry.error, undefined);
	assert.ok(h.pool.get(h.id('a'))?.quota !== undefined, 'quota read from the x-codex headers');
	assert.equal(h.sessions.get('s1')?.turns, 1);
});

test('the client credentials never go upstream: the account token and id replace them', async (t) => {
	const h = await startRig({accounts: ['a']});
	t.after(() => h.close());
	const url = new URL(h.url);
	// node:http, because fetch refuses to send a Connection header.
	await new Promise<void>((resolve, reject) => {
		const post = httpRequest(
			{
				host: url.hostname,
				port: url.port,
				method: 'POST',
				path: '/backend-api/codex/responses',
				headers: {
					'content-type': 'application/json',
					authorization: 'Bearer client-own-token',
					'chatgpt-account-id': 'client-own-account',
					connection: 'keep-alive, x-hop',
					'x-hop': 'drop me',
				},
			},
			(response) => {
				response.resume();
				response.on('end', resolve);
			},
		);
		post.on('error', reject);
		post.end(JSON.stringify(turnBody('hi')));
	});
	const entry = h.upstream.log.find((logged) => logged.path.startsWith('/backend-api/codex/responses'))!;
	assert.equal(entry.headers['chatgpt-account-id'], h.id('a'));
	assert.equal(entry.headers.authorization, `Bearer ${h.upstream.accounts.get('a').tokens.accessToken}`);
	assert.equal(entry.headers['x-hop'], undefined);
});

test('a client abort aborts the upstream request', async (t) => {
	const h = await startRig({accounts: ['a']});
	t.after(() => h.close());
	// A long stream: 50 writes 30 ms apart.
	h.upstream.settings.deltaCount = 200;
	h.upstream.settings.streamChunks = 50;
	h.upstream.settings.chunkIntervalMs = 30;

	const controller = new AbortController();
	const response = await request(`${h.url}/backend-api/codex/responses`, {
		method: 'POST',
		headers: {'content-type': 'application/json'},
		body: JSON.stringify(turnBody('long')),
		signal: controller.signal,
	});
	assert.equal(response.statusCode, 200);
	for await (const _chunk of response.body) {
		break;
	}

	controller.abort();
	const started = Date.now();
	while (h.events.request.length === 0 && Date.now() - started < 1000) {
		await new Promise((resolve) => setTimeout(resolve, 10));
	}

	assert.equal(h.events.request.length, 1, 'the request ended well before the 1.5 s stream would have');
	assert.match(h.events.request[0]?.error ?? '', /went away|broke/);
	assert.equal(h.core.proxy.engine.inFlight(), 0);
	assert.equal(h.pool.get(h.id('a'))?.health.status, 'ok', 'a client leaving is not the account failing');
});

test('a websocket upgrade on the responses path gets 426 when the upstream refuses WebSocket', async (t) => {
	const h = await startRig({accounts: ['a']});
	t.after(() => h.close());
	// The pool speaks WebSocket (test/ws); an upstream that refuses it makes Codex fall back to HTTP at once.
	h.upstream.websockets.upgrade = 426;
	const url = new URL(h.url);
	const status = await new Promise<number>((resolve, reject) => {
		const upgrade = httpRequest({
			host: url.hostname,
			port: url.port,
			path: '/backend-api/codex/responses',
			headers: {
				connection: 'Upgrade',
				upgrade: 'websocket',
				'sec-websocket-version': '13',
				'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==',
			},
		});
		upgrade.on('response', (response) => {
			response.resume();
			resolve(response.statusCode ?? 0);
		});
		upgrade.on('upgrade', () => resolve(101));
		upgrade.on('error', reject);
		upgrade.end();
	});
	assert.equal(status, 426);
});

test('the model list is passed through unchanged and cached', async (t) => {
	const h = await startRig({accounts: ['a']});
	t.after(() => h.close());
	const direct = await fetch(`${h.upstream.backendUrl}/codex/models?client_version=0.171.0`, {
		headers: {
			authorization: `Bearer ${h.upstream.accounts.get('a').tokens.accessToken}`,
			'chatgpt-account-id': h.id('a'),
		},
	});
	const expected = await direct.text();
	const first = await fetch(`${h.url}/backend-api/codex/models?client_version=0.171.0`);
	assert.equal(first.status, 200);
	assert.equal(await first.text(), expected);
	const second = await fetch(`${h.url}/backend-api/codex/models?client_version=0.171.0`);
	assert.equal(await second.text(), expected);
	const upstreamCalls = h.upstream.log.filter((logged) =>
		logged.path.startsWith('/backend-api/codex/models'),
	);
	assert.equal(
		upstreamCalls.length,
		2,
		'one direct call above, one by the proxy; the second proxy call is cached',
	);
});

test('pooled usage, workspace check and liveness answer in the upstream shape', async (t) => {
	const h = await startRig({accounts: ['a', 'b']});
	t.after(() => h.close());
	h.upstream.accounts.exhaust('a');
	await postTurn(h.url, turnBody('hi'));
	await postTurn(h.url, turnBody('hi again'));
	const usage = (await (await fetch(`${h.url}/backend-api/wham/usage`)).json()) as {
		rate_limit: {allowed: boolean; primary_window: {used_percent: number; limit_window_seconds: number}};
	};
	assert.equal(usage.rate_limit.allowed, true);
	assert.equal(usage.rate_limit.primary_window.limit_window_seconds, 18_000);
	assert.ok(usage.rate_limit.primary_window.used_percent >= 50, 'one of two accounts is at 100%');

	const check = (await (
		await fetch(`${h.url}/backend-api/wham/accounts/check`, {headers: {'chatgpt-account-id': 'acc-1'}})
	).json()) as {accounts: {id: string; workspace_backend_origin: string}[]};
	assert.equal(check.accounts[0]?.id, 'acc-1');
	assert.equal(check.accounts[0]?.workspace_backend_origin, 'NO_CONSTRAINT');

	const health = (await (await fetch(`${h.url}/healthz`)).json()) as {ok: boolean; accounts: number};
	assert.deepEqual([health.ok, health.accounts], [true, 2]);
});

test('two model-list requests at once make one upstream call', async (t) => {
	const h = await startRig({accounts: ['a']});
	t.after(() => h.close());
	const [first, second] = await Promise.all([
		fetch(`${h.url}/backend-api/codex/models?client_version=0.171.0`),
		fetch(`${h.url}/backend-api/codex/models?client_version=0.171.0`),
	]);
	assert.equal(await first.text(), await second.text());
	assert.equal(
		h.upstream.log.filter((logged) => logged.path.startsWith('/backend-api/codex/models')).length,
		1,
	);
});
