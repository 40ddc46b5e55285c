import assert from 'node:assert/strict';
import {once} from 'node:events';
import type {AddressInfo} from 'node:net';
import test from 'node:test';
import {WebSocketServer} from 'ws';
import {openUpstreamSocket, upstreamMask} from '../../source/core/ws/upstream-socket.ts';

/*
The zero masking key (upstream-socket.ts) with permessage-deflate, which the pool offers and a backend may accept:
the compressed frames go with a zero key too, and a server that inflates them (with context takeover, frame after
frame) gets each request as it was sent. The Buffer the pool sends (the client's own frame, which the relay reads
after an early send) goes out by reference and comes back unchanged.
*/
test('zero-masked frames with permessage-deflate reach the server intact, and the sent Buffer is not touched', async (t) => {
	const server = new WebSocketServer({host: '127.0.0.1', port: 0, perMessageDeflate: {threshold: 0}});
	await once(server, 'listening');
	t.after(async () => {
		for (const client of server.clients) {
			client.terminate();
		}

		await new Promise((resolve) => server.close(resolve));
	});
	const got: string[] = [];
	server.on('connection', (socket) => {
		socket.on('message', (data) => got.push(data.toString()));
	});
	const url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/backend-api/codex/responses`;
	assert.notEqual(upstreamMask(url), undefined, 'a zero key to this machine');
	const answer = await openUpstreamSocket(url, {authorization: 'Bearer t'}, Date.now);
	assert.ok(answer.ok);
	assert.match(answer.socket.extensions, /permessage-deflate/);

	// Three Codex-sized requests (tools and instructions repeat, so the later ones compress against the first).
	const tools = Array.from({length: 200}, (_, index) => ({type: 'function', name: `tool_${index}`}));
	const texts = [1, 2, 3].map((turn) =>
		JSON.stringify({type: 'response.create', tools, input: [{type: 'message', text: `turn ${turn} é ✓`}]}),
	);
	const buffers = texts.map((text) => Buffer.from(text));
	const copies = buffers.map((buffer) => Buffer.from(buffer));
	for (const buffer of buffers) {
		answer.socket.send(buffer, {binary: false});
	}

	for (let waited = 0; got.length < texts.length && waited < 3000; waited += 5) {
		await new Promise((resolve) => setTimeout(resolve, 5));
	}

	assert.deepEqual(got, texts);
	assert.ok(
		buffers.every((buffer, index) => buffer.equals(copies[index]!)),
		'the Buffers sent are as they were',
	);
	answer.socket.terminate();
});
