import assert from 'node:assert/strict';
import {execFile} from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type {AddressInfo} from 'node:net';
import path from 'node:path';
import {type TestContext, test} from 'node:test';
import {fileURLToPath} from 'node:url';
import {command as codexConfig} from '../../source/commands/codex-config.ts';
import {createLoginCommand} from '../../source/commands/login.ts';
import {startEmbeddedCore} from '../../source/core/core.ts';
import {type SimulatedUpstream, startSimulatedUpstream} from '../../source/core/simulated-backend/index.ts';
import {openStore} from '../../source/core/store/store.ts';
import type {Settings} from '../../source/core/store/types.ts';
import {ensureLocalCertificates} from '../../source/core/tls/local-ca.ts';
import {tempDir} from '../store/fixtures.ts';
import {runCommand} from './run.ts';

// Variant A (codex-cli-observed.md §1) with the real Codex CLI 0.171: the built-in "openai" provider with
// `openai_base_url` on the pool's HTTP port and `chatgpt_base_url` on its HTTPS port, trusted through
// CODEX_CA_CERTIFICATE. Sessions recorded before the switch resume through the pool.
const codexBin = fileURLToPath(new URL('../../node_modules/.bin/codex', import.meta.url));
const skip = fs.existsSync(codexBin) ? false : 'the Codex CLI is not installed (npm install)';

type Run = {code: number | null; stdout: string; stderr: string; session: string | undefined};

function codex(codexHome: string, args: readonly string[], env: NodeJS.ProcessEnv): Promise<Run> {
	return new Promise((resolve) => {
		const child = execFile(
			codexBin,
			['exec', '--skip-git-repo-check', ...args],
			{
				cwd: codexHome,
				encoding: 'utf8',
				timeout: 20_000,
				env: {...process.env, CODEX_HOME: codexHome, ...env},
			},
			(_error, stdout, stderr) =>
				resolve({
					code: child.exitCode,
					stdout,
					stderr,
					session: /session id: ([0-9a-f-]+)/.exec(stderr)?.[1],
				}),
		);
		child.stdin?.end();
	});
}

/** A pool home with one account (`b`), logged in through the simulated issuer. */
async function poolWith(upstream: SimulatedUpstream, account: string): Promise<string> {
	const home = tempDir();
	upstream.accounts.setLoginAccount(account);
	const login = createLoginCommand({ports: [0], openBrowser: (url) => fetch(url)});
	const result = await runCommand(login, ['--home', home], {CODEXPOOL_AUTH_ISSUER: upstream.issuerUrl});
	assert.equal(result.code, 0, result.stderr);
	return home;
}

/** A Codex home logged in as `account` (its own login, which the pool never forwards). */
function codexHomeFor(upstream: SimulatedUpstream, account: string, config: string): string {
	const home = tempDir();
	fs.writeFileSync(path.join(home, 'config.toml'), config);
	fs.writeFileSync(path.join(home, 'auth.json'), JSON.stringify(upstream.accounts.authJson(account)), {
		mode: 0o600,
	});
	return home;
}

const plainSettings = 'check_for_update_on_startup = false\n\n[analytics]\nenabled = false\n';

/**
Variant A set up as a user would: a pool home logged in as `b` (with `settings`), its certificates, the pool
running with its HTTPS port, and a Codex home logged in as `a` after `codex-config --write`. `env` is what Codex
runs with (the CA variable, token refreshes to the simulated issuer).
*/
async function variantA(t: TestContext, settings: Partial<Settings> = {}) {
	const upstream = await startSimulatedUpstream({accounts: [{name: 'a'}, {name: 'b'}]});
	t.after(() => upstream.close());
	const poolHome = await poolWith(upstream, 'b');
	openStore(poolHome).setSettings(settings);
	const certificates = ensureLocalCertificates(poolHome);
	const core = await startEmbeddedCore({
		store: openStore(poolHome),
		upstream: upstream.backendUrl,
		issuer: upstream.issuerUrl,
		port: 0,
		watchStore: false,
		tls: {...certificates, port: 0},
	});
	t.after(() => core.stop());
	const codexHome = codexHomeFor(upstream, 'a', plainSettings);
	const written = await runCommand(
		codexConfig,
		['--write', '--port', new URL(core.url).port, '--tls-port', new URL(core.tlsUrl!).port],
		{CODEX_HOME: codexHome, CODEXPOOL_HOME: poolHome},
	);
	const env = {
		CODEX_CA_CERTIFICATE: certificates.caPath,
		CODEX_REFRESH_TOKEN_URL_OVERRIDE: upstream.tokenUrl,
	};
	return {upstream, core, certificates, codexHome, written, env};
}

test('variant A: codex-config --write, then codex exec runs through the pool over its WebSocket', {
	skip,
}, async (t) => {
	const {core, certificates, codexHome, written, env} = await variantA(t);
	// What reaches the proxy, before it decodes anything.
	const seen: {path: string; encoding: string | undefined}[] = [];
	core.server.nodeServer.on('request', (request: http.IncomingMessage) => {
		seen.push({path: request.url ?? '', encoding: request.headers['content-encoding']});
	});
	// The built-in provider talks WebSocket (the pool accepts it); its HTTP bodies would be zstd.
	core.server.nodeServer.on('upgrade', (request: http.IncomingMessage) => {
		seen.push({path: request.url ?? '', encoding: 'websocket'});
	});

	assert.equal(written.code, 0, written.stderr);
	assert.ok(written.stdout.includes(`export CODEX_CA_CERTIFICATE=${certificates.caPath}`));

	const started = Date.now();
	const run = await codex(codexHome, ['say hi'], env);
	const took = Date.now() - started;
	assert.equal(run.code, 0, run.stderr.slice(-800));
	assert.match(run.stderr, /provider: openai/);
	assert.match(run.stdout, /Hello from b\. You said: say hi/);
	assert.ok(took < 10_000, `the turn took ${took} ms`);
	const turn = seen.find((request) => request.path === '/backend-api/codex/responses');
	assert.equal(turn?.encoding, 'websocket');
	assert.equal(core.getSnapshot().sessions[0]?.transport, 'websocket');
	t.diagnostic(`variant A turn through the pool: ${took} ms`);
});

test('variant A keeps sessions resumable: a session recorded with the built-in provider continues through the pool', {
	skip,
}, async (t) => {
	const upstream = await startSimulatedUpstream({accounts: [{name: 'a'}, {name: 'b'}]});
	t.after(() => upstream.close());
	const poolHome = await poolWith(upstream, 'b');
	const certificates = ensureLocalCertificates(poolHome);
	// Before the switch Codex talks to "the backend" itself: the simulated upstream, with an HTTPS front for
	// its chatgpt_base_url (as chatgpt.com is for a real user).
	const front = https.createServer({key: certificates.key, cert: certificates.cert}, (request, response) => {
		const target = new URL(request.url ?? '/', upstream.url);
		const forwarded = http.request(target, {method: request.method, headers: request.headers}, (answer) => {
			response.writeHead(answer.statusCode ?? 502, answer.headers);
			answer.pipe(response);
		});
		request.pipe(forwarded);
	});
	await new Promise<void>((resolve) => front.listen(0, '127.0.0.1', resolve));
	t.after(() => {
		front.closeAllConnections();
		front.close();
	});
	const frontPort = (front.address() as AddressInfo).port;
	const codexHome = codexHomeFor(
		upstream,
		'a',
		`openai_base_url = "${upstream.url}/backend-api/codex"\nchatgpt_base_url = "https://127.0.0.1:${frontPort}/backend-api/"\n${plainSettings}`,
	);
	const env = {
		CODEX_CA_CERTIFICATE: certificates.caPath,
		CODEX_REFRESH_TOKEN_URL_OVERRIDE: upstream.tokenUrl,
	};
	const old = await codex(codexHome, ['turn one'], env);
	assert.equal(old.code, 0, old.stderr.slice(-800));
	assert.match(old.stdout, /Hello from a\. You said: turn one/);
	assert.ok(old.session);
	assert.equal(recordedProvider(codexHome, old.session), 'openai');

	// Switch to the pool.
	const core = await startEmbeddedCore({
		store: openStore(poolHome),
		upstream: upstream.backendUrl,
		issuer: upstream.issuerUrl,
		port: 0,
		watchStore: false,
		tls: {...certificates, port: 0},
	});
	t.after(() => core.stop());
	const pooled: string[] = [];
	const countTurn = (request: http.IncomingMessage) => {
		if (request.url === '/backend-api/codex/responses') {
			pooled.push(String(request.headers['session-id']));
		}
	};
	// Codex resumes over the pool's WebSocket (one upgrade per run), or over HTTP POSTs.
	core.server.nodeServer.on('request', countTurn);
	core.server.nodeServer.on('upgrade', countTurn);
	const written = await runCommand(
		codexConfig,
		['--write', '--port', new URL(core.url).port, '--tls-port', new URL(core.tlsUrl!).port],
		{CODEX_HOME: codexHome, CODEXPOOL_HOME: poolHome},
	);
	assert.equal(written.code, 0, written.stderr);
	const config = fs.readFileSync(path.join(codexHome, 'config.toml'), 'utf8');
	assert.ok(config.includes(`openai_base_url = "${core.url}/backend-api/codex"`));
	assert.ok(!config.includes(upstream.url));

	upstream.clearLog();
	const last = await codex(codexHome, ['resume', '--last', 'turn two'], env);
	assert.equal(last.code, 0, last.stderr.slice(-800));
	assert.equal(last.session, old.session, '--last picks the session recorded before the switch');
	assert.match(last.stdout, /Hello from b\. You said: turn two/);
	const byId = await codex(codexHome, ['resume', old.session, 'turn three'], env);
	assert.equal(byId.code, 0, byId.stderr.slice(-800));
	assert.equal(byId.session, old.session);
	assert.match(byId.stdout, /Hello from b\. You said: turn three/);
	assert.ok(pooled.filter((id) => id === old.session).length >= 2, 'both turns went through the pool');
	assert.equal(recordedProvider(codexHome, old.session), 'openai');
	// After the switch only the pooled account answers; the user's own login (a) is never used upstream.
	const turns = upstream.log.filter(
		(entry) =>
			(entry.method === 'POST' || entry.method === 'WS') && entry.path === '/backend-api/codex/responses',
	);
	assert.ok(turns.every((entry) => entry.account === 'b'));
	t.diagnostic(`upstream answers to the resumed turns: ${turns.map((entry) => entry.status).join(', ')}`);
});

/** The provider a session's rollout file records (its first line, session_meta). */
function recordedProvider(codexHome: string, session: string): string | undefined {
	const files = fs
		.readdirSync(path.join(codexHome, 'sessions'), {recursive: true, encoding: 'utf8'})
		.filter((name) => name.endsWith('.jsonl') && name.includes(session));
	assert.equal(files.length, 1, `one rollout file for ${session}`);
	const first = fs.readFileSync(path.join(codexHome, 'sessions', files[0]!), 'utf8').split('\n')[0]!;
	return (JSON.parse(first) as {payload?: {model_provider?: string}}).payload?.model_provider;
}

test("variant A over HTTP: Codex's zstd bodies go upstream as Codex sent them, not three times larger", {
	skip,
}, async (t) => {
	// The pool's own requests go upstream over HTTP too (not over its upstream WebSocket): their bytes are the test.
	const {upstream, core, codexHome, written, env} = await variantA(t, {upstreamWebSocket: false});
	// Codex without the WebSocket (a pool that refuses it) falls back to HTTP POSTs, zstd-compressed.
	const server = core.server.nodeServer;
	server.removeAllListeners('upgrade');
	server.on('upgrade', (_request: http.IncomingMessage, socket: import('node:stream').Duplex) => {
		socket.end('HTTP/1.1 426 Upgrade Required\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
	});
	assert.equal(written.code, 0, written.stderr);
	const run = await codex(codexHome, ['run two commands tool-rounds:2'], env);
	assert.equal(run.code, 0, run.stderr.slice(-800));
	const posts = upstream.log.filter((logged) => logged.path === '/backend-api/codex/responses');
	assert.equal(posts.length, 3, 'one request per tool round, and the answer');
	for (const post of posts) {
		const plain = Buffer.byteLength(JSON.stringify(post.body));
		assert.equal(post.zstd, true, 'compressed upstream, as Codex sent it');
		assert.ok(post.bodyBytes! * 2 < plain, `${post.bodyBytes} bytes upstream for ${plain} plain`);
		t.diagnostic(`upstream request: ${post.bodyBytes} bytes zstd (plain JSON ${plain} bytes)`);
	}
});
