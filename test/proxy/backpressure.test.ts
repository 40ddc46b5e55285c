import assert from 'node:assert/strict';
import {createServer} from 'node:http';
import type {AddressInfo} from 'node:net';
import test from 'node:test';
import {request} from 'undici';
import {systemClock} from '../../source/core/clock.ts';
import {noMarks} from '../../source/core/model.ts';
import {createPoolProxy} from '../../source/core/proxy/index.ts';
import {createRandom} from '../../source/core/random.ts';
import {responsesEvent, sseEvent} from '../../source/core/sse/frame.ts';
import {serveCodexRoutes} from './serve.ts';

async function proxyFor(t: import('node:test').TestContext, upstream: ReturnType<typeof createServer>) {
	await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
	const port = (upstream.address() as AddressInfo).port;
	const proxy = createPoolProxy({
		clock: systemClock,
		random: createRandom(1),
		records: [
			{
				id: 'acct',
				name: 'acct',
				email: undefined,
				plan: 'plus',
				tokens: {idToken: 'i', accessToken: 'a', refreshToken: 'r', lastRefresh: undefined},
				marks: noMarks,
				needsLogin: undefined,
				addedAt: 0,
			},
		],
		tokens: {getAccessToken: async () => 'token', refreshAfter401: async () => 'token'},
		strategy: () => 'round-robin',
		upstream: `http://127.0.0.1:${port}/backend-api`,
	});
	const served = await serveCodexRoutes({...proxy, clock: systemClock});
	const url = served.url;
	t.after(async () => {
		await served.close();
		await proxy.close();
		upstream.closeAllConnections();
		await new Promise((resolve) => upstream.close(resolve));
	});
	return url;
}

test('a client that goes away mid-stream makes the proxy abort the upstream request', async (t) => {
	let upstreamClosed: number | undefined;
	const upstream = createServer((_request, response) => {
		response.writeHead(200, {'content-type': 'text/event-stream'});
		const timer = setInterval(() => response.write(sseEvent({}, 'response.output_text.delta')), 10);
		response.on('close', () => {
			clearInterval(timer);
			upstreamClosed = Date.now();
		});
	});
	const url = await proxyFor(t, upstream);
	const controller = new AbortController();
	const response = await request(`${url}/backend-api/codex/responses`, {
		method: 'POST',
		headers: {'content-type': 'application/json'},
		body: JSON.stringify({input: 'hi'}),
		signal: controller.signal,
	});
	for await (const _chunk of response.body) {
		break;
	}

	const abortedAt = Date.now();
	controller.abort();
	const deadline = Date.now() + 1000;
	while (upstreamClosed === undefined && Date.now() < deadline) {
		await new Promise((resolve) => setTimeout(resolve, 5));
	}

	assert.ok(upstreamClosed !== undefined, 'the upstream saw its request closed');
	assert.ok(upstreamClosed - abortedAt < 500);
});

test('a slow client holds the upstream back instead of the proxy buffering the stream', async (t) => {
	// An upstream that writes SSE as fast as it may, and counts what it got out before write() said "wait".
	const event = responsesEvent({type: 'response.output_text.delta', delta: 'x'.repeat(1000)});
	let written = 0;
	let finished = false;
	const upstream = createServer((_request, response) => {
		response.writeHead(200, {'content-type': 'text/event-stream'});
		const pump = () => {
			while (written < 50_000_000) {
				written += event.length;
				if (!response.write(event)) {
					response.once('drain', pump);
					return;
				}
			}

			finished = true;
			response.end();
		};

		pump();
	});
	const url = await proxyFor(t, upstream);

	const response = await request(`${url}/backend-api/codex/responses`, {
		method: 'POST',
		headers: {'content-type': 'application/json'},
		body: JSON.stringify({input: 'hi'}),
	});
	assert.equal(response.statusCode, 200);
	// Read one chunk, then stop reading for a while.
	const reader = response.body[Symbol.asyncIterator]();
	await reader.next();
	await new Promise((resolve) => setTimeout(resolve, 500));
	assert.equal(finished, false);
	assert.ok(
		written < 20_000_000,
		`the upstream got only socket-buffer-sized headroom, not the whole stream (${written} bytes)`,
	);
	const before = written;
	// Reading again lets the upstream go on.
	for (let index = 0; index < 200; index++) {
		await reader.next();
	}

	await new Promise((resolve) => setTimeout(resolve, 100));
	assert.ok(written > before);
	response.body.destroy();
});

/** Reads a whole response as the client sees it: the chunks as they come off the socket, and when (performance.now()). */
async function readChunks(url: string) {
	const response = await request(`${url}/backend-api/codex/responses`, {
		method: 'POST',
		headers: {'content-type': 'application/json'},
		body: JSON.stringify({input: 'hi'}),
	});
	const chunks: {text: string; at: number}[] = [];
	for await (const chunk of response.body) {
		chunks.push({text: (chunk as Buffer).toString(), at: performance.now()});
	}

	return chunks;
}

const delta = (index: number) => responsesEvent({type: 'response.output_text.delta', delta: String(index)});
// Without it the proxy would add a `response.failed` event of its own.
const completed = responsesEvent({type: 'response.completed', response: {}});

test('a burst of small upstream chunks reaches the client in a few writes, bytes and order unchanged', async (t) => {
	const events = [...Array.from({length: 200}, (_, index) => delta(index)), completed];
	const upstream = createServer((_request, response) => {
		response.writeHead(200, {'content-type': 'text/event-stream'});
		// One write per event, each in its own turn of the event loop, as a streaming model writes them.
		let index = 0;
		const next = () => {
			if (index === events.length) {
				response.end();
				return;
			}

			response.write(events[index++]);
			setImmediate(next);
		};

		next();
	});
	const url = await proxyFor(t, upstream);
	const chunks = await readChunks(url);
	assert.equal(chunks.map((chunk) => chunk.text).join(''), events.join(''));
	assert.ok(chunks.length < 60, `200 upstream chunks arrived in ${chunks.length} pieces`);
});

test('the first event and an event after a pause are passed on at once, not held for more', async (t) => {
	// When the upstream wrote each event (performance.now(), the clock readChunks stamps arrivals with).
	const written: number[] = [];
	const write = (response: import('node:http').ServerResponse, text: string, end = false) => {
		written.push(performance.now());
		end ? response.end(text) : response.write(text);
	};
	const upstream = createServer((_request, response) => {
		response.writeHead(200, {'content-type': 'text/event-stream'});
		write(response, delta(0));
		setTimeout(() => write(response, delta(1)), 300);
		setTimeout(() => write(response, completed, true), 600);
	});
	const url = await proxyFor(t, upstream);
	const chunks = await readChunks(url);
	assert.deepEqual(
		chunks.map((chunk) => chunk.text),
		[delta(0), delta(1), completed],
	);
	// Each arrives before the next is written: gathering never waits for more (no fixed time, so a busy machine's
	// late timers cannot fail it).
	assert.ok(chunks[0]!.at < written[1]!, 'the first event came before the second was written');
	assert.ok(chunks[1]!.at < written[2]!, 'the second event came before the last was written');
});
