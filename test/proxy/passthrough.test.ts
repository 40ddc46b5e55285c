import assert from 'node:assert/strict';
import {createServer, type IncomingHttpHeaders, type Server} from 'node:http';
import type {AddressInfo} from 'node:net';
import {after, before, describe, it} from 'node:test';
import {request} from 'undici';
import {type EmbeddedCore, startEmbeddedCore} from '../../source/core/core.ts';
import {openStore} from '../../source/core/store/store.ts';
import {tempDir} from '../store/fixtures.ts';

// Codex 0.171 calls POST /backend-api/ps/mcp (and plugins, connectors): paths the pool does not pool.
type Seen = {method: string; url: string; headers: IncomingHttpHeaders; body: string};
const seen: Seen[] = [];
let upstream: Server;
let core: EmbeddedCore;

before(async () => {
	upstream = createServer((req, res) => {
		let body = '';
		req.on('data', (chunk: Buffer) => {
			body += chunk.toString('utf8');
		});
		req.on('end', () => {
			seen.push({method: req.method ?? '', url: req.url ?? '', headers: req.headers, body});
			res.writeHead(200, {'content-type': 'application/json', 'x-upstream': 'yes'});
			res.end(JSON.stringify({jsonrpc: '2.0', id: 1, result: {tools: []}}));
		});
	});
	await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
	const {port} = upstream.address() as AddressInfo;
	core = await startEmbeddedCore({
		store: openStore(tempDir()),
		port: 0,
		upstream: `http://127.0.0.1:${port}/backend-api`,
		watchStore: false,
	});
});

after(async () => {
	await core.stop();
	upstream.close();
});

describe('paths the pool does not pool', () => {
	it("POST /backend-api/ps/mcp goes upstream as sent, with the client's own Authorization, and comes back", async () => {
		const answer = await request(`${core.url}/backend-api/ps/mcp?x=1`, {
			method: 'POST',
			headers: {
				authorization: 'Bearer client-own-token',
				'chatgpt-account-id': 'acct-client',
				'content-type': 'application/json',
			},
			body: '{"jsonrpc":"2.0","id":1,"method":"tools/list"}',
		});
		assert.equal(answer.statusCode, 200);
		assert.equal(answer.headers['x-upstream'], 'yes');
		assert.deepEqual(await answer.body.json(), {jsonrpc: '2.0', id: 1, result: {tools: []}});
		const last = seen.at(-1)!;
		assert.equal(last.method, 'POST');
		assert.equal(last.url, '/backend-api/ps/mcp?x=1');
		assert.equal(last.headers.authorization, 'Bearer client-own-token');
		assert.equal(last.headers['chatgpt-account-id'], 'acct-client');
		assert.equal(last.body, '{"jsonrpc":"2.0","id":1,"method":"tools/list"}');
	});

	it('GET plugins and connectors paths too', async () => {
		for (const path of ['/backend-api/ps/plugins/installed?limit=200', '/backend-api/connectors/list']) {
			const answer = await request(`${core.url}${path}`, {
				headers: {authorization: 'Bearer client-own-token'},
			});
			assert.equal(answer.statusCode, 200, path);
			await answer.body.dump();
			assert.equal(seen.at(-1)!.url, path);
		}
	});

	it('without a login of its own (or with a pool key), a clear 401 and nothing goes upstream', async () => {
		const before = seen.length;
		const bare = await request(`${core.url}/backend-api/ps/mcp`, {method: 'POST', body: '{}'});
		assert.equal(bare.statusCode, 401);
		const {error} = (await bare.body.json()) as {error: {message: string}};
		assert.match(
			error.message,
			/does not pool \/backend-api\/ps\/mcp: it passes such requests to ChatGPT with the client's own login/,
		);
		// A pool key is the pool's, never a ChatGPT login: refused, never sent on.
		const keyed = await request(`${core.url}/backend-api/ps/mcp`, {
			method: 'POST',
			headers: {authorization: 'Bearer cxp_0123456789abcdef'},
			body: '{}',
		});
		assert.equal(keyed.statusCode, 401);
		await keyed.body.dump();
		assert.equal(seen.length, before);
	});
});
