import assert from 'node:assert/strict';
import test from 'node:test';
import {usageLimitFrame} from './fake-upstream.ts';
import {startPoolHarness, upstreamTurnStates} from './pool-harness.ts';
import {baseFields, connectClient, startRelayHarness, userItem} from './relay-harness.ts';

/*
The client's `x-codex-turn-state` through the pool, against the simulated upstream (which answers each response
with a `response.metadata` frame carrying its connection's turn state). The client below keeps the turn state
as Codex 0.171 does (seen with the real CLI, source/core/ws/turn-state.ts): the first `response.metadata` turn
state of a turn wins, and every later `response.create` of that turn carries it in `client_metadata`; a new turn
starts without one. A turn state routes to the account that issued it, so it must reach that account and no other.
*/

const TURN_STATE = 'x-codex-turn-state';

type Frame = Record<string, unknown>;

/** A Codex-like client of the pool on one WebSocket: turns of requests chained by previous_response_id. */
async function codexLike(url: string) {
	const client = await connectClient(`${url.replace('http', 'ws')}/backend-api/codex/responses`, {
		'session-id': 'sess-turn-state',
	});
	let turnState: string | undefined;
	let previous: string | undefined;
	const received: string[] = [];
	return {
		client,
		/** Every turn state the client was given, in order. */
		received,
		get turnState() {
			return turnState;
		},
		newTurn() {
			turnState = undefined;
		},
		async request(text: string, generate = true): Promise<Frame[]> {
			const metadata: Frame = {'x-codex-turn-metadata': '{"turn_id":"t"}'};
			if (turnState !== undefined) {
				metadata[TURN_STATE] = turnState;
			}

			const frames = await client.request({
				...baseFields,
				...(generate ? {} : {generate: false}),
				...(previous === undefined ? {} : {previous_response_id: previous}),
				input: [userItem(text)],
				client_metadata: metadata,
			});
			const last = frames.at(-1);
			assert.equal(last?.type, 'response.completed', JSON.stringify(last));
			previous = String((last?.response as {id?: unknown} | undefined)?.id);
			for (const frame of frames) {
				const value = (frame.headers as Record<string, unknown> | undefined)?.[TURN_STATE];
				if (frame.type === 'response.metadata' && typeof value === 'string') {
					received.push(value);
					turnState ??= value;
				}
			}

			return frames;
		},
	};
}

/** Makes `name` usable again after a markCooling. */
const usableAgain = (h: Awaited<ReturnType<typeof startPoolHarness>>, name: string) =>
	h.proxy.pool.markCooling(h.id(name), Date.now() - 1, 'rate-limit');

test("a session moved mid-connection: the old account's turn state stays behind, the new one's reaches only its issuer", async (t) => {
	const h = await startPoolHarness(['a', 'b']);
	t.after(() => h.close());
	h.proxy.pool.markPicked(h.id('b'));
	const codex = await codexLike(h.url);

	// Turn 1 on a: the warm-up's response.metadata gives the client a's turn state, sent back from then on.
	await codex.request('warm', false);
	await codex.request('one');
	assert.equal(h.upstream.issuerOf(codex.turnState ?? ''), 'a');
	// The session moves to b in the middle of the turn; the client keeps a's (the first of its turn).
	h.proxy.pool.markCooling(h.id('a'), Date.now() + 3_600_000, 'quota');
	await codex.request('two');
	await codex.request('three');
	assert.equal(h.upstream.issuerOf(codex.turnState ?? ''), 'a', "b's metadata came too late in the turn");

	// Turn 2 on b: the client now holds b's turn state, which b gets back.
	codex.newTurn();
	await codex.request('four');
	assert.equal(h.upstream.issuerOf(codex.turnState ?? ''), 'b');
	await codex.request('five');
	// The session moves back to a, in the middle of turn 2: b's turn state stays behind.
	h.proxy.pool.markCooling(h.id('b'), Date.now() + 3_600_000, 'quota');
	usableAgain(h, 'a');
	await codex.request('six');

	// What the client got: each account's own turn state, in the responses that account served.
	assert.deepEqual(
		codex.received.map((value) => h.upstream.issuerOf(value)),
		['a', 'a', 'b', 'b', 'b', 'b', 'a'],
	);
	// What each account got back: only turn states it issued.
	assert.deepEqual(upstreamTurnStates(h.upstream), ['a: -', 'a: a', 'b: -', 'b: -', 'b: -', 'b: b', 'a: -']);
	assert.equal(h.events.move.length, 2);
	// The upstream handshakes carried no turn state (this client sends none at its own, as Codex 0.171).
	for (const connection of h.upstream.websockets.connections()) {
		assert.equal(connection.headers[TURN_STATE], undefined);
	}
});

test("the 60-minute limit on the socket a session moved to: the reopened socket still gets that account's turn state", async (t) => {
	const h = await startPoolHarness(['a', 'b']);
	t.after(() => h.close());
	h.proxy.pool.markPicked(h.id('b'));
	const codex = await codexLike(h.url);
	await codex.request('warm', false);
	await codex.request('one');
	h.proxy.pool.markCooling(h.id('a'), Date.now() + 3_600_000, 'quota');
	await codex.request('two');
	codex.newTurn();
	await codex.request('three');
	const bState = codex.turnState;
	assert.equal(h.upstream.issuerOf(bState ?? ''), 'b');

	// b's connection reaches the backend's 60-minute limit at the next request: the pool opens a new one.
	h.upstream.websockets.inject({kind: 'connection_limit', account: 'b'});
	const four = await codex.request('four');
	await codex.request('five');
	assert.ok(!four.some((frame) => frame.type === 'error'), 'the client saw nothing of it');
	assert.equal(codex.turnState, bState, "the first turn state of the turn stays the client's");

	const bConnections = h.upstream.websockets.connections().filter((connection) => connection.account === 'b');
	assert.equal(bConnections.length, 2);
	assert.equal(bConnections[0]?.requests.at(-1)?.errorCode, 'websocket_connection_limit_reached');
	// The new socket's own turn state (another value) reached the client in its response.metadata.
	const reopened = codex.received.at(-1) ?? '';
	assert.notEqual(reopened, bState);
	assert.equal(h.upstream.issuerOf(reopened), 'b');
	assert.deepEqual(upstreamTurnStates(h.upstream), [
		'a: -',
		'a: a',
		'b: -',
		'b: -',
		// The request the limit struck, then the whole conversation on the new socket, then the next one.
		'b: b',
		'b: b',
		'b: b',
	]);
	for (const connection of bConnections) {
		assert.equal(connection.headers[TURN_STATE], undefined);
	}

	assert.ok(h.events.request.every((entry) => entry.status === 200));
});

test('a response.metadata before a failover stays with the failed attempt: the client never gets the turn state of an account it left', async (t) => {
	let failed: string | undefined;
	const h = await startRelayHarness(['a', 'b'], {
		behaviour: {
			// The first generating request: the account's metadata, then its usage limit, before any output.
			answer(request) {
				if (failed !== undefined || request.body.generate === false) {
					return undefined;
				}

				failed = request.accountId;
				return [
					JSON.stringify({type: 'response.metadata', headers: {[TURN_STATE]: `ts-${failed}-meta`}}),
					usageLimitFrame(600),
				];
			},
		},
	});
	t.after(() => h.close());
	const client = await connectClient(h.wsUrl);
	const answer = await client.request({...baseFields, input: [userItem('hi')]});
	assert.equal(answer.at(-1)?.type, 'response.completed');
	assert.ok(failed !== undefined);
	const other = failed === 'a' ? 'b' : 'a';
	assert.equal(h.upstream.received.at(-1)?.accountId, other, 'failed over');
	// Nothing of the failed attempt reached the client, its metadata included.
	assert.deepEqual(
		answer.filter((frame) => frame.type === 'response.metadata' || frame.type === 'error'),
		[],
	);
	// The pool knows who issued it all the same.
	assert.equal(h.proxy.issuers.issuerOf(`ts-${failed}-meta`), failed);
});
