import assert from 'node:assert/strict';
import {spawnSync} from 'node:child_process';
import {connect} from 'node:net';
import {after, before, test} from 'node:test';
import {
	MODELS_ETAG,
	type SimulatedUpstream,
	startSimulatedUpstream,
} from '../../source/core/simulated-backend/index.ts';
import {authHeaders, codexBody, deltaText, postResponses, streamEvents} from './helpers.ts';

let upstream: SimulatedUpstream;
before(async () => {
	upstream = await startSimulatedUpstream({accounts: [{name: 'a'}]});
});
after(() => upstream.close());

/**
A zstd frame made of raw (stored) blocks, written by hand so the test does not need the zstd CLI:
magic, a single-segment header with a 4-byte content size, then blocks of at most 128 KiB.
*/
function rawZstdFrame(content: Buffer): Uint8Array {
	const header = Buffer.alloc(9);
	header.writeUInt32LE(0xfd2fb528, 0);
	header.writeUInt8(0b1010_0000, 4); // FCS field 4 bytes, single segment, no checksum, no dictionary.
	header.writeUInt32LE(content.length, 5);
	const parts: Buffer[] = [header];
	const blockSize = 128 * 1024;
	for (let offset = 0; offset === 0 || offset < content.length; offset += blockSize) {
		const block = content.subarray(offset, offset + blockSize);
		const isLast = offset + blockSize >= content.length ? 1 : 0;
		const blockHeader = Buffer.alloc(3);
		blockHeader.writeUIntLE((block.length << 3) | isLast, 0, 3); // Block type 0 = raw.
		parts.push(blockHeader, block);
	}

	return new Uint8Array(Buffer.concat(parts));
}

test('a zstd body (hand-made raw-block frame, several blocks) is decoded', async () => {
	const body = codexBody('compressed hello', {padding: 'x'.repeat(300_000)});
	const frame = rawZstdFrame(Buffer.from(JSON.stringify(body)));
	const response = await postResponses(upstream, 'a', frame, {'content-encoding': 'zstd'});
	assert.equal(response.status, 200);
	assert.equal(deltaText(await streamEvents(response)), 'Hello from a. You said: compressed hello');
	assert.equal(upstream.log.at(-1)?.zstd, true);
});

test('a zstd body compressed by the zstd CLI is decoded (skipped without the CLI)', async (t) => {
	const json = JSON.stringify(codexBody('cli hello'));
	const result = spawnSync('zstd', ['-q', '-c'], {input: json});
	if (result.error || result.status !== 0) {
		t.skip('zstd CLI not available');
		return;
	}

	assert.ok(result.stdout.length < json.length);
	const response = await postResponses(upstream, 'a', new Uint8Array(result.stdout), {
		'content-encoding': 'zstd',
	});
	assert.equal(deltaText(await streamEvents(response)), 'Hello from a. You said: cli hello');
});

test('a broken zstd body gets a 400 that says so', async () => {
	const response = await postResponses(upstream, 'a', new Uint8Array([1, 2, 3, 4, 5]), {
		'content-encoding': 'zstd',
	});
	assert.equal(response.status, 400);
	assert.match(JSON.stringify(await response.json()), /zstd/);
});

test('/codex/models lists entries with every field Codex requires, with an ETag', async () => {
	const response = await fetch(`${upstream.backendUrl}/codex/models?client_version=0.171.0`, {
		headers: authHeaders(upstream, 'a'),
	});
	assert.equal(response.status, 200);
	assert.equal(response.headers.get('etag'), MODELS_ETAG);
	const {models} = (await response.json()) as {models: Array<Record<string, unknown>>};
	assert.ok(models.some((model) => model.visibility === 'list'));
	const required = [
		'slug',
		'display_name',
		'support_verbosity',
		'truncation_policy',
		'supported_reasoning_levels',
		'shell_type',
		'visibility',
		'supported_in_api',
		'priority',
		'experimental_supported_tools',
		'description',
		'default_reasoning_level',
		'context_window',
	];
	for (const model of models) {
		for (const field of required) {
			assert.ok(model[field] !== undefined, `${String(model.slug)} lacks ${field}`);
		}

		assert.equal(
			typeof (model.model_messages as {instructions_template?: unknown}).instructions_template,
			'string',
		);
		assert.deepEqual(Object.keys(model.truncation_policy as object).sort(), ['limit', 'mode']);
	}

	const cached = await fetch(`${upstream.backendUrl}/codex/models?client_version=0.171.0`, {
		headers: {...authHeaders(upstream, 'a'), 'if-none-match': MODELS_ETAG},
	});
	assert.equal(cached.status, 304);
});

test('/wham/accounts/check answers the workspace discovery Codex needs', async () => {
	const response = await fetch(`${upstream.backendUrl}/wham/accounts/check`, {
		headers: authHeaders(upstream, 'a'),
	});
	const body = (await response.json()) as {
		accounts: Array<Record<string, unknown>>;
		default_account_id: string;
	};
	const {accountId} = upstream.accounts.get('a');
	assert.equal(body.default_account_id, accountId);
	assert.equal(body.accounts[0]?.id, accountId);
	assert.equal(body.accounts[0]?.workspace_backend_origin, 'NO_CONSTRAINT');
	assert.equal(body.accounts[0]?.structure, 'personal');
});

test('/ps/* and /wham/settings/user are 404, as Codex expects', async () => {
	for (const path of ['/backend-api/ps/plugins/installed?limit=200', '/backend-api/wham/settings/user']) {
		assert.equal((await fetch(`${upstream.url}${path}`, {headers: authHeaders(upstream, 'a')})).status, 404);
	}

	assert.equal((await fetch(`${upstream.url}/backend-api/ps/mcp`, {method: 'POST'})).status, 404);
});

function rawUpgrade(path: string): Promise<string> {
	const port = new URL(upstream.url).port;
	return new Promise<string>((resolve, reject) => {
		const socket = connect(Number(port), '127.0.0.1', () => {
			socket.write(
				`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n` +
					'Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n',
			);
		});
		let data = '';
		socket.on('data', (chunk) => {
			data += chunk.toString();
		});
		socket.on('end', () => resolve(data));
		socket.on('error', reject);
	});
}

test('a WebSocket upgrade without a token is 401, anywhere else 404, and 426 when upgrades are refused', async () => {
	assert.match(await rawUpgrade('/backend-api/codex/responses'), /^HTTP\/1\.1 401 /);
	assert.match(await rawUpgrade('/backend-api/codex/models'), /^HTTP\/1\.1 404 /);
	upstream.websockets.upgrade = 426;
	try {
		assert.match(await rawUpgrade('/backend-api/codex/responses'), /^HTTP\/1\.1 426 /);
	} finally {
		upstream.websockets.upgrade = 'accept';
	}
});
