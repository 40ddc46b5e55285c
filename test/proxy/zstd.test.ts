import assert from 'node:assert/strict';
import {spawnSync} from 'node:child_process';
import test from 'node:test';
import type {LoggedRequest} from '../../source/core/simulated-backend/http.ts';
import {startRig} from '../helpers/rig.ts';
import {sseEvents, turnBody} from './harness.ts';

/**
A valid zstd frame that stores `data` in raw blocks (RFC 8878 §3.1.1: single segment, 4-byte content size,
Block_Type 0). Node 20 has no zstd encoder; Codex CLI's compressed blocks decode through the same fzstd path.
*/
function zstdRawFrame(data: Buffer): Buffer {
	const header = Buffer.alloc(9);
	header.writeUInt32LE(0xfd2fb528, 0);
	header[4] = (2 << 6) | (1 << 5);
	header.writeUInt32LE(data.length, 5);
	const parts: Buffer[] = [header];
	const blockSize = 100_000;
	for (let offset = 0; offset < data.length || offset === 0; offset += blockSize) {
		const chunk = data.subarray(offset, offset + blockSize);
		const last = offset + blockSize >= data.length ? 1 : 0;
		const blockHeader = Buffer.alloc(3);
		blockHeader.writeUIntLE((chunk.length << 3) | last, 0, 3);
		parts.push(blockHeader, chunk);
		if (data.length === 0) {
			break;
		}
	}

	return Buffer.concat(parts);
}

/** POSTs a Codex turn compressed as Codex CLI sends it (content-encoding zstd). */
async function postZstdTurn(url: string, body: Record<string, unknown>, sessionId: string) {
	const compressed = zstdRawFrame(Buffer.from(JSON.stringify(body)));
	const response = await fetch(`${url}/backend-api/codex/responses`, {
		method: 'POST',
		headers: {'content-type': 'application/json', 'content-encoding': 'zstd', 'session-id': sessionId},
		body: new Uint8Array(compressed),
	});
	return {status: response.status, text: await response.text(), sentBytes: compressed.length};
}

// These tests are about the bytes of upstream POSTs: HTTP clients' requests go upstream over HTTP here.
const overHttp = {upstreamWebSocket: false};

const responsePosts = (h: {upstream: {log: readonly LoggedRequest[]}}) =>
	h.upstream.log.filter((logged) => logged.path.startsWith('/backend-api/codex/responses'));

test('a zstd body the pool does not change goes upstream as the bytes Codex sent', async (t) => {
	const h = await startRig({accounts: ['a'], settings: overHttp});
	t.after(() => h.close());
	// Larger than one block, as Codex's 27 KB bodies are.
	const body = turnBody(`hi ${'x'.repeat(150_000)}`);
	const turn = await postZstdTurn(h.url, body, 'unchanged');
	assert.equal(turn.status, 200);
	assert.equal(sseEvents(turn.text).at(-1)?.type, 'response.completed');
	const [forwarded] = responsePosts(h);
	assert.equal(forwarded?.zstd, true, 'the upstream gets zstd, as Codex sent it');
	assert.equal(forwarded?.bodyBytes, turn.sentBytes, 'byte for byte the size Codex sent');
	assert.deepEqual((forwarded!.body as {input: unknown}).input, body.input);
});

test('a zstd body the pool changed is compressed again', async (t) => {
	const h = await startRig({accounts: ['a'], settings: overHttp});
	t.after(() => h.close());
	const first = await postZstdTurn(h.url, turnBody('one'), 'changed');
	assert.equal(first.status, 200);
	// The account refuses the encrypted items: the pool retries once with every one of them stripped.
	h.upstream.faults.inject({kind: 'invalid_encrypted_content'});
	const history = [...(turnBody('one').input as unknown[]), ...outputItems(first.text), filler];
	const second = await postZstdTurn(h.url, turnBody('two', history), 'changed');
	assert.equal(second.status, 200, second.text.slice(0, 300));
	const posts = responsePosts(h);
	assert.equal(posts.length, 3);
	assert.equal(posts[1]?.status, 400);
	assert.equal(posts[1]?.bodyBytes, second.sentBytes, 'unchanged the first time: the bytes as sent');
	const retried = posts[2]!;
	assert.equal(retried.zstd, true, 'the changed body is compressed again');
	const input = (retried.body as {input: {encrypted_content?: string}[]}).input;
	assert.equal(input.filter((item) => item.encrypted_content !== undefined).length, 0, 'stripped');
	const plainBytes = Buffer.byteLength(JSON.stringify(retried.body));
	assert.ok(
		retried.bodyBytes! * 5 < plainBytes,
		`really compressed: ${retried.bodyBytes} bytes for ${plainBytes} plain`,
	);
});

/** A compressible item, so compression shows in the byte counts (Codex's long tool outputs are like it). */
const filler = {
	type: 'message',
	role: 'user',
	content: [{type: 'input_text', text: 'log line\n'.repeat(2000)}],
};

function outputItems(text: string): unknown[] {
	return sseEvents(text)
		.filter((event) => event.type === 'response.output_item.done')
		.map((event) => (event as {item: unknown}).item);
}

test('an undecodable zstd body gets a 400 that says so', async (t) => {
	const h = await startRig({accounts: ['a']});
	t.after(() => h.close());
	const response = await fetch(`${h.url}/backend-api/codex/responses`, {
		method: 'POST',
		headers: {'content-type': 'application/json', 'content-encoding': 'zstd'},
		body: 'not zstd at all',
	});
	assert.equal(response.status, 400);
	assert.match(((await response.json()) as {error: {message: string}}).error.message, /zstd/);
	assert.equal(h.clientTraffic(), 0);
});

const zstdCli = spawnSync('zstd', ['--version']).status === 0;

test('a body compressed by the zstd tool itself is decoded', {
	skip: !zstdCli && 'no zstd binary',
}, async (t) => {
	const h = await startRig({accounts: ['a'], settings: overHttp});
	t.after(() => h.close());
	const body = turnBody(`compressed ${'abc '.repeat(5000)}`);
	const compressed = spawnSync('zstd', ['-c', '-q', '-19'], {input: JSON.stringify(body)}).stdout;
	assert.ok(compressed.length < 2000, 'really compressed');
	const response = await fetch(`${h.url}/backend-api/codex/responses`, {
		method: 'POST',
		headers: {'content-type': 'application/json', 'content-encoding': 'zstd'},
		body: new Uint8Array(compressed),
	});
	assert.equal(response.status, 200);
	await response.text();
	const forwarded = h.upstream.log.find((logged) => logged.path.startsWith('/backend-api/codex/responses'));
	assert.deepEqual((forwarded!.body as {input: unknown}).input, body.input);
});
