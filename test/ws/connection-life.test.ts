import assert from 'node:assert/strict';
import test from 'node:test';
import {request} from 'undici';
import {baseFields, connectClient, startRelayHarness, userItem} from './relay-harness.ts';

/** The id of the response an answer's frames end with. */
function lastId(frames: readonly Record<string, unknown>[]): string {
	return String((frames.at(-1)?.response as {id?: unknown} | undefined)?.id);
}

async function healthInFlight(wsUrl: string): Promise<number> {
	const url = wsUrl.replace('ws', 'http').replace('/backend-api/codex/responses', '/healthz');
	const answer = await request(url);
	return ((await answer.body.json()) as {inFlight: number}).inFlight;
}

test("a WebSocket turn is in the pool's one in-flight count from its response.create until its terminal event", async (t) => {
	let holdOpen = true;
	const h = await startRelayHarness(['a'], {
		behaviour: {
			// A turn that has started and not ended: created and a delta, no terminal event yet.
			answer: (received, id) =>
				holdOpen && received.body.generate !== false
					? [
							JSON.stringify({type: 'response.created', response: {id, status: 'in_progress'}}),
							JSON.stringify({type: 'response.output_text.delta', delta: 'Hel'}),
						]
					: undefined,
		},
	});
	t.after(() => h.close());
	const client = await connectClient(h.wsUrl);
	await client.request({...baseFields, generate: false, input: [userItem('warm')]});
	assert.equal(await healthInFlight(h.wsUrl), 0, 'a completed warm-up is no longer in flight');

	client.socket.send(JSON.stringify({type: 'response.create', ...baseFields, input: [userItem('hi')]}));
	while (!client.frames.some((frame) => frame.type === 'response.output_text.delta')) {
		await new Promise((resolve) => setTimeout(resolve, 10));
	}

	assert.equal(await healthInFlight(h.wsUrl), 1, '/healthz counts the running turn');
	assert.equal(h.proxy.inFlight.current(), 1);
	// The client goes away in the middle of the turn: the turn ends with it.
	client.socket.close();
	await client.closed;
	for (let waited = 0; h.proxy.inFlight.current() !== 0 && waited < 2000; waited += 10) {
		await new Promise((resolve) => setTimeout(resolve, 10));
	}

	assert.equal(await healthInFlight(h.wsUrl), 0);

	// A turn that reaches response.completed leaves the count at its terminal event.
	holdOpen = false;
	const again = await connectClient(h.wsUrl, {'session-id': 'sess-2'});
	const answer = await again.request({...baseFields, input: [userItem('hi')]});
	assert.equal(answer.at(-1)?.type, 'response.completed');
	assert.equal(h.proxy.inFlight.current(), 0);
});

test("the client's turn state never reaches another account, not even when the socket it moved to is reopened", async (t) => {
	const h = await startRelayHarness(['a', 'b']);
	t.after(() => h.close());
	// Codex reconnecting with the turn state an earlier connection got.
	const client = await connectClient(h.wsUrl, {'session-id': 'sess-ts', 'x-codex-turn-state': 'ts-earlier'});
	const upgrade = h.upstream.handshakes[0]!;
	const from = upgrade.accountId;
	assert.equal(
		upgrade.headers['x-codex-turn-state'],
		'ts-earlier',
		'a new session keeps it on its first account',
	);
	// The client's handshake got the first socket's turn state and models etag, nothing else of the upstream's.
	const first = `ts-${from}-1`;
	assert.equal(client.upgradeHeaders['x-codex-turn-state'], first);
	assert.equal(client.upgradeHeaders['x-models-etag'], 'etag-1');
	// Codex copies the turn state it got into each frame's client_metadata.
	const metadata = {'x-codex-turn-state': first, 'x-codex-turn-metadata': '{"turn":1}'};
	const warm = await client.request({...baseFields, client_metadata: metadata, generate: false, input: []});
	const one = await client.request({
		...baseFields,
		client_metadata: metadata,
		previous_response_id: lastId(warm),
		input: [userItem('one')],
	});
	assert.deepEqual(h.upstream.received.at(-1)?.body.client_metadata, metadata, 'its own account gets it');

	// The session moves; then the upstream closes the new account's socket, which the next request reopens.
	h.proxy.pool.markCooling(from, Date.now() + 3_600_000, 'quota');
	const two = await client.request({
		...baseFields,
		client_metadata: metadata,
		previous_response_id: lastId(one),
		input: [userItem('two')],
	});
	assert.equal(two.at(-1)?.type, 'response.completed');
	h.upstream.closeAll(1011);
	await new Promise((resolve) => setTimeout(resolve, 50));
	const three = await client.request({
		...baseFields,
		client_metadata: metadata,
		previous_response_id: lastId(two),
		input: [userItem('three')],
	});
	assert.equal(three.at(-1)?.type, 'response.completed');
	const four = await client.request({
		...baseFields,
		client_metadata: metadata,
		previous_response_id: lastId(three),
		input: [userItem('four')],
	});
	assert.equal(four.at(-1)?.type, 'response.completed');

	const elsewhere = h.upstream.handshakes.filter((handshake) => handshake.accountId !== from);
	assert.equal(elsewhere.length, 2, 'the move opened a socket, the close another');
	for (const handshake of elsewhere) {
		assert.equal(handshake.headers['x-codex-turn-state'], undefined);
	}

	const frames = h.upstream.received.filter((received) => received.accountId !== from);
	assert.equal(frames.length, 3);
	for (const received of frames) {
		assert.deepEqual(received.body.client_metadata, {'x-codex-turn-metadata': '{"turn":1}'});
	}
});
