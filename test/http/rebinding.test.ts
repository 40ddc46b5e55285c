import assert from 'node:assert/strict';
import {once} from 'node:events';
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import {after, before, test} from 'node:test';
import WebSocket from 'ws';
import {type EmbeddedCore, startEmbeddedCore} from '../../source/core/core.ts';
import {importSimulatedAccounts} from '../../source/core/demo/seed-home.ts';
import {type SimulatedUpstream, startSimulatedUpstream} from '../../source/core/simulated-backend/index.ts';
import {openStore, type Store} from '../../source/core/store/store.ts';
import {ensureLocalCertificates} from '../../source/core/tls/local-ca.ts';
import {tempDir} from '../store/fixtures.ts';

/*
DNS rebinding: a web page at evil.example whose name is made to resolve to 127.0.0.1 is same-origin with the
pool, so the browser sends its requests with `Host: evil.example:PORT` (and `Origin` on most of them). Every
front door must refuse both, with a JSON 4xx that leaks nothing, while the pool's own clients (Codex, the
OpenAI SDKs, curl: no Origin, Host 127.0.0.1) go on working.
*/

let upstream: SimulatedUpstream;
let store: Store;
let core: EmbeddedCore;
let ca: string;
let port: number;

before(async () => {
	upstream = await startSimulatedUpstream({accounts: [{name: 'alpha', email: 'alpha@example.com'}]});
	const home = tempDir();
	store = openStore(home);
	importSimulatedAccounts(store, upstream, Date.now());
	const certificates = ensureLocalCertificates(home);
	ca = fs.readFileSync(certificates.caPath, 'utf8');
	core = await startEmbeddedCore({
		store,
		upstream: upstream.backendUrl,
		issuer: upstream.issuerUrl,
		port: 0,
		watchStore: false,
		tls: {...certificates, port: 0},
	});
	port = Number(new URL(core.url).port);
});

after(async () => {
	await core.stop();
	await upstream.close();
});

type Answer = {status: number; headers: http.IncomingHttpHeaders; body: string};

function send(
	base: string,
	method: string,
	path: string,
	headers: Record<string, string>,
	body?: string,
): Promise<Answer> {
	const url = new URL(path, base);
	const client = url.protocol === 'https:' ? https : http;
	return new Promise((resolve, reject) => {
		// A browser at evil.example would fail the certificate's name check already; this client skips it, to
		// reach the pool with the foreign Host and see that the pool itself refuses it too.
		const options = {method, headers, agent: false, ca, checkServerIdentity: () => undefined};
		const request = client.request(url, options, (response) => {
			let text = '';
			response.setEncoding('utf8');
			response.on('data', (chunk: string) => {
				text += chunk;
			});
			response.on('end', () =>
				resolve({status: response.statusCode ?? 0, headers: response.headers, body: text}),
			);
		});
		request.on('error', reject);
		request.end(body);
	});
}

/** Sends an upgrade request and resolves to the status line the pool answered with. */
function upgrade(headers: Record<string, string>): Promise<{status: number; body: string}> {
	return new Promise((resolve, reject) => {
		const request = http.request(`${core.url}/backend-api/codex/responses`, {
			headers: {connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-version': '13', ...headers},
			agent: false,
		});
		request.on('response', (response) => {
			let text = '';
			response.setEncoding('utf8');
			response.on('data', (chunk: string) => {
				text += chunk;
			});
			response.on('end', () => resolve({status: response.statusCode ?? 0, body: text}));
		});
		request.on('upgrade', (response, socket) => {
			socket.destroy();
			resolve({status: response.statusCode ?? 101, body: ''});
		});
		request.on('error', reject);
		request.end();
	});
}

const json = {'content-type': 'application/json'};
const codexTurn = JSON.stringify({
	model: 'gpt-5.5',
	stream: true,
	store: false,
	input: [{type: 'message', role: 'user', content: [{type: 'input_text', text: 'hi'}]}],
});
const chat = JSON.stringify({model: 'gpt-5.5', messages: [{role: 'user', content: 'hi'}]});

/** One request per front door, as a page would send it. */
const doors: Array<{
	door: string;
	method: string;
	path: string;
	headers?: Record<string, string>;
	body?: string;
}> = [
	{door: 'admin', method: 'GET', path: '/api/state'},
	{door: 'admin', method: 'POST', path: '/api/accounts/alpha/evict', headers: json, body: '{}'},
	{door: 'openai', method: 'POST', path: '/v1/chat/completions', headers: json, body: chat},
	{door: 'openai', method: 'GET', path: '/v1/models'},
	{
		door: 'openai',
		method: 'POST',
		path: '/v1/responses',
		headers: json,
		body: '{"model":"gpt-5.5","input":"hi"}',
	},
	{door: 'codex', method: 'POST', path: '/backend-api/codex/responses', headers: json, body: codexTurn},
	{door: 'codex', method: 'GET', path: '/backend-api/wham/usage'},
	{door: 'codex', method: 'GET', path: '/api/codex/usage'},
	// The pass-through of what the pool does not pool (Codex's MCP and plugins) is a door too.
	{
		door: 'pass-through',
		method: 'POST',
		path: '/backend-api/ps/mcp',
		headers: {...json, authorization: 'Bearer a-page-token'},
		body: '{}',
	},
	{door: 'health', method: 'GET', path: '/healthz'},
];

/** Nothing of the pool in a refusal: no account, email, session, request log or model answer. */
function assertLeaksNothing(answer: Answer, what: string): void {
	for (const secret of [
		'alpha',
		'example.com',
		'accounts',
		'sessions',
		'requests',
		'response.',
		'rate_limit',
		'usable',
	]) {
		assert.ok(!answer.body.includes(secret), `${what} leaked ${secret}: ${answer.body}`);
	}
}

test('a rebinding page is refused at every door, with and without Origin, over HTTP and HTTPS', async () => {
	const statuses: string[] = [];
	for (const base of [core.url, core.tlsUrl!]) {
		const basePort = new URL(base).port;
		for (const {door, method, path, headers = {}, body} of doors) {
			for (const origin of [undefined, `http://evil.example:${basePort}`]) {
				const sent: Record<string, string> = {...headers, host: `evil.example:${basePort}`};
				if (origin !== undefined) {
					sent.origin = origin;
				}

				const answer = await send(base, method, path, sent, body);
				const what = `${new URL(base).protocol} ${door} ${method} ${path}${origin === undefined ? '' : ' + Origin'}`;
				assert.equal(answer.status, 421, what);
				assert.match(answer.headers['content-type'] ?? '', /application\/json/, what);
				const error = (JSON.parse(answer.body) as {error: {message: string}}).error;
				assert.match(error.message, /only to its own host names.*evil\.example/, what);
				assert.equal(answer.headers['access-control-allow-origin'], undefined, what);
				assertLeaksNothing(answer, what);
				statuses.push(`${what}: ${answer.status}`);
			}
		}
	}

	const refusedUpgrade = await upgrade({host: `evil.example:${port}`, origin: `http://evil.example:${port}`});
	assert.equal(refusedUpgrade.status, 421, 'WebSocket upgrade');
	statuses.push(`upgrade /backend-api/codex/responses: ${refusedUpgrade.status}`);
	assert.notEqual(core.getSnapshot().accounts[0]?.state.kind, 'evicted');
	assert.equal(core.getSnapshot().requests.length, 0, 'nothing reached the engine');
	console.log(statuses.join('\n'));
});

test('a page with the right Host but a browser Origin is refused at every door (403)', async () => {
	for (const {door, method, path, headers = {}, body} of doors) {
		const answer = await send(
			core.url,
			method,
			path,
			{...headers, host: `127.0.0.1:${port}`, origin: 'https://evil.example'},
			body,
		);
		assert.equal(answer.status, 403, `${door} ${path}`);
		assert.match(answer.body, /does not serve web pages.*settings\.allowedOrigins/, `${door} ${path}`);
		assertLeaksNothing(answer, `${door} ${path}`);
	}

	const refusedUpgrade = await upgrade({host: `127.0.0.1:${port}`, origin: 'https://evil.example'});
	assert.equal(refusedUpgrade.status, 403);
	assert.equal(core.getSnapshot().requests.length, 0);
});

test('the pool’s own clients still get through on its names, over HTTP and HTTPS', async () => {
	for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, '127.0.0.1']) {
		const state = await send(core.url, 'GET', '/api/state', {host});
		assert.equal(state.status, 200, host);
		assert.match(state.body, /alpha/);
	}

	const turn = await send(core.url, 'POST', '/backend-api/codex/responses', json, codexTurn);
	assert.equal(turn.status, 200);
	assert.match(turn.body, /response\.completed/);
	const answer = await send(core.url, 'POST', '/v1/chat/completions', json, chat);
	assert.equal(answer.status, 200);
	for (const path of ['/healthz', '/backend-api/wham/accounts/check', '/api/codex/usage']) {
		// The HTTPS mirror's own Host (127.0.0.1:<tls port>) is one of the pool's names too.
		assert.equal((await send(core.tlsUrl!, 'GET', path, {})).status, 200, path);
	}

	// On the pool's names a WebSocket client reaches the Responses WebSocket mode.
	const socket = new WebSocket(`${core.url.replace('http', 'ws')}/backend-api/codex/responses`, {
		headers: {'session-id': 'rebinding-ws'},
	});
	await once(socket, 'open');
	socket.close();
	await once(socket, 'close');
});

test('an origin the user allowed may use the pool from a browser, with CORS headers', async (t) => {
	store.setSettings({allowedOrigins: ['https://app.example']});
	t.after(() => store.setSettings({allowedOrigins: []}));
	const origin = 'https://app.example';
	const preflight = await send(core.url, 'OPTIONS', '/v1/chat/completions', {
		origin,
		'access-control-request-method': 'POST',
		'access-control-request-headers': 'content-type, authorization',
	});
	assert.equal(preflight.status, 204);
	assert.equal(preflight.headers['access-control-allow-origin'], origin);
	assert.match(String(preflight.headers['access-control-allow-headers']), /content-type/);
	const answer = await send(core.url, 'POST', '/v1/chat/completions', {...json, origin}, chat);
	assert.equal(answer.status, 200);
	assert.equal(answer.headers['access-control-allow-origin'], origin);
	// Another origin is still refused, and a rebinding Host still is, allowed origin or not.
	assert.equal((await send(core.url, 'GET', '/healthz', {origin: 'https://other.example'})).status, 403);
	assert.equal((await send(core.url, 'GET', '/healthz', {origin, host: 'evil.example'})).status, 421);
});

test('a wrong or revoked pool key is refused on every door, even where no key is required', async () => {
	for (const {door, method, path, headers = {}, body} of doors.filter((entry) => entry.door !== 'health')) {
		const answer = await send(core.url, method, path, {...headers, authorization: 'Bearer cxp_wrong'}, body);
		assert.equal(answer.status, 401, `${door} ${path}`);
		assert.match(answer.body, /Incorrect pool key/, `${door} ${path}`);
	}
});
