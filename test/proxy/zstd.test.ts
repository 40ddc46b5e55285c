import assert from 'node:assert/strict';
import {spawnSync} from 'node:child_process';
import test from 'node:test';
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

test('a zstd-compressed request body is decoded and forwarded as JSON', async (t) => {
	const h = await startRig({accounts: ['a']});
	t.after(() => h.close());
	// Larger than one block, as Codex's 27 KB bodies are.
	const body = turnBody(`hi ${'x'.repeat(150_000)}`);
	const response = await fetch(`${h.url}/backend-api/codex/responses`, {
		method: 'POST',
		headers: {'content-type': 'application/json', 'content-encoding': 'zstd'},
		body: new Uint8Array(zstdRawFrame(Buffer.from(JSON.stringify(body)))),
	});
	assert.equal(response.status, 200);
	assert.equal(sseEvents(await response.text()).at(-1)?.type, 'response.completed');
	const forwarded = h.upstream.log.find((logged) => logged.path.startsWith('/backend-api/codex/responses'));
	assert.notEqual(forwarded?.zstd, true, 'the upstream gets plain JSON');
	assert.deepEqual((forwarded!.body as {input: unknown}).input, body.input);
});

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
	const h = await startRig({accounts: ['a']});
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
