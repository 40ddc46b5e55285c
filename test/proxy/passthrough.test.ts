import assert from 'node:assert/strict';
import {createServer, type IncomingHttpHeaders, type Server} from 'node:http';
import type {AddressInfo} from 'node:net';
import {after, before, describe, it} from 'node:test';
import {request} from 'undici';
import {type EmbeddedCore, startEmbeddedCore} from '../../source/core/core.ts';
import {createPoolKeys} from '../../source/core/keys/pool-keys.ts';
import {openStore, type Store} from '../../source/core/store/store.ts';
import {tempDir} from '../store/fixtures.ts';

// Codex 0.171 calls POST /backend-api/ps/mcp (and plugins, connectors): paths the pool does not pool.
type Seen = {method: string; url: string; headers: IncomingHttpHeaders; body: string};
const seen: Seen[] = [];
let upstream: Server;
let core: EmbeddedCore;
let store: Store;

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
	store = openStore(tempDir());
	core = await startEmbeddedCore({
		store,
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

	it('without any Authorization (as Codex 0.171 sends POST /backend-api/ps/mcp) it goes upstream as sent', async () => {
		const bare = await request(`${core.url}/backend-api/ps/mcp`, {
			method: 'POST',
			headers: {'user-agent': 'codex-mcp-client/0.171.0', 'content-type': 'application/json'},
			body: '{"jsonrpc":"2.0","id":0,"method":"initialize"}',
		});
		assert.equal(bare.statusCode, 200);
		assert.equal(bare.headers['x-upstream'], 'yes');
		await bare.body.dump();
		const last = seen.at(-1)!;
		assert.equal(last.url, '/backend-api/ps/mcp');
		assert.equal(last.headers.authorization, undefined, "no credential added: not a pooled account's");
		assert.equal(last.headers['chatgpt-account-id'], undefined);
		assert.equal(last.body, '{"jsonrpc":"2.0","id":0,"method":"initialize"}');
	});

	it('with a pool key, a clear 401 and nothing goes upstream', async () => {
		const before = seen.length;
		// A pool key (a valid one: a wrong one is refused at the door) is the pool's, never a ChatGPT login.
		const {key} = createPoolKeys(store).create('codex');
		const keyed = await request(`${core.url}/backend-api/ps/mcp`, {
			method: 'POST',
			headers: {authorization: `Bearer ${key}`},
			body: '{}',
		});
		assert.equal(keyed.statusCode, 401);
		const {error} = (await keyed.body.json()) as {error: {message: string}};
		assert.match(error.message, /does not pool \/backend-api\/ps\/mcp: .*carries a pool key/);
		assert.equal(seen.length, before);
	});
});
