import assert from 'node:assert/strict';
import test from 'node:test';
import {request} from 'undici';
import {baseFields, connectClient, startRelayHarness, userItem} from './relay-harness.ts';

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
