import assert from 'node:assert/strict';
import {type ChildProcess, spawn} from 'node:child_process';
import {once} from 'node:events';
import {mkdtempSync, readdirSync, readFileSync, rmSync, statSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {after, before, test} from 'node:test';
import {setTimeout as delay} from 'node:timers/promises';
import {fileURLToPath} from 'node:url';
import {request} from 'undici';
import {importSimulatedAccounts} from '../../source/core/demo/seed-home.ts';
import {createPoolKeys} from '../../source/core/keys/pool-keys.ts';
import {openStore} from '../../source/core/store/store.ts';
import {type FaultyUpstream, startFaultyUpstream} from '../helpers/faults.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const bin = path.join(root, 'bin', 'codexpool.js');

let upstream: FaultyUpstream;
let home: string;
let daemon: ChildProcess;
let url: string;
let poolKey: string;
/** Everything the program emitted, as text: process output, HTTP answers, the admin event stream. */
const emitted: {source: string; text: string}[] = [];
const secrets = new Set<string>();
let events = '';
let stopEvents: () => void = () => {};

function findLeaks(parts: readonly {source: string; text: string}[]): string[] {
	const leaks: string[] = [];
	for (const secret of secrets) {
		// The whole token, and its last 24 characters (a JWT's signature) in case a message cut it short.
		const needles = [secret, secret.slice(-24)].filter((needle) => needle.length >= 16);
		for (const part of parts) {
			if (needles.some((needle) => part.text.includes(needle))) {
				leaks.push(`${part.source} holds a secret (${secret.slice(0, 6)}…)`);
			}
		}
	}

	return leaks;
}

function capture(source: string, text: string): void {
	emitted.push({source, text});
}

/** Every token the store holds now (the current and, over the test, each rotated one). */
function collectStoreSecrets(): void {
	const file = JSON.parse(readFileSync(path.join(home, 'codexpool.json'), 'utf8')) as {
		accounts: {tokens: {idToken: string; accessToken: string; refreshToken: string}}[];
	};
	for (const {tokens} of file.accounts) {
		secrets.add(tokens.idToken);
		secrets.add(tokens.accessToken);
		secrets.add(tokens.refreshToken);
	}
}

function collectUpstreamSecrets(): void {
	for (const account of upstream.accounts.list()) {
		secrets.add(account.tokens.idToken);
		secrets.add(account.tokens.accessToken);
		secrets.add(account.tokens.refreshToken);
	}

	for (const token of upstream.refreshTokens().uses.keys()) {
		secrets.add(token);
	}

	// Every access token the proxy ever presented upstream.
	for (const entry of upstream.log) {
		const bearer = /^Bearer (.+)$/.exec(String(entry.headers.authorization ?? ''))?.[1];
		if (bearer !== undefined) {
			secrets.add(bearer);
		}
	}
}

async function http(method: string, pathname: string, body?: unknown, headers: Record<string, string> = {}) {
	const answer = await request(url + pathname, {
		method: method as 'POST',
		headers: body === undefined ? headers : {'content-type': 'application/json', ...headers},
		body: body === undefined ? undefined : JSON.stringify(body),
	});
	const text = await answer.body.text();
	capture(`${method} ${pathname}`, `${answer.statusCode}\n${JSON.stringify(answer.headers)}\n${text}`);
	return {status: answer.statusCode, text};
}

const turn = (session: string, key?: string) =>
	http(
		'POST',
		'/backend-api/codex/responses',
		{
			model: 'gpt-5.5',
			stream: true,
			store: false,
			include: ['reasoning.encrypted_content'],
			input: [
				{type: 'message', role: 'user', content: [{type: 'input_text', text: `hello from ${session}`}]},
			],
		},
		{'session-id': session, ...(key === undefined ? {} : {authorization: `Bearer ${key}`})},
	);

const chat = (stream: boolean) =>
	http(
		'POST',
		'/v1/chat/completions',
		{model: 'gpt-5.5', stream, messages: [{role: 'user', content: 'hi'}]},
		{authorization: `Bearer ${poolKey}`},
	);

/** Runs `codexpool ARGS` in its own process against the home; its output is captured. */
async function cli(...args: string[]): Promise<{code: number | null; stdout: string; stderr: string}> {
	const child = spawn(process.execPath, [bin, ...args, '--home', home], {
		env: {...process.env, CODEXPOOL_UPSTREAM: upstream.backendUrl, CODEXPOOL_AUTH_ISSUER: upstream.issuerUrl},
		stdio: ['ignore', 'pipe', 'pipe'],
	});
	let stdout = '';
	let stderr = '';
	child.stdout.on('data', (chunk: Buffer) => {
		stdout += chunk.toString('utf8');
	});
	child.stderr.on('data', (chunk: Buffer) => {
		stderr += chunk.toString('utf8');
	});
	const [code] = (await once(child, 'exit')) as [number | null];
	capture(`codexpool ${args.join(' ')}`, stdout + stderr);
	return {code, stdout, stderr};
}

before(async () => {
	upstream = await startFaultyUpstream({
		accounts: [{name: 'alpha'}, {name: 'beta'}, {name: 'gamma'}],
	});
	home = mkdtempSync(path.join(tmpdir(), 'codexpool-secrets-'));
	const store = openStore(home);
	importSimulatedAccounts(store, upstream, Date.now());
	poolKey = createPoolKeys(store).create('secrets-test').key;
	secrets.add(poolKey);
	collectStoreSecrets();

	daemon = spawn(process.execPath, [bin, 'serve', '--port', '0', '--home', home], {
		env: {...process.env, CODEXPOOL_UPSTREAM: upstream.backendUrl, CODEXPOOL_AUTH_ISSUER: upstream.issuerUrl},
		stdio: ['ignore', 'pipe', 'pipe'],
	});
	let output = '';
	daemon.stdout?.on('data', (chunk: Buffer) => {
		output += chunk.toString('utf8');
	});
	daemon.stderr?.on('data', (chunk: Buffer) => {
		output += chunk.toString('utf8');
	});
	emitted.push({
		source: 'codexpool serve (stdout+stderr)',
		get text() {
			return output;
		},
	});
	for (let waited = 0; url === undefined; waited += 50) {
		assert.ok(waited < 30_000, `codexpool serve did not start:\n${output}`);
		const match = /codexpool serves .* at (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
		if (match?.[1] !== undefined) {
			url = match[1];
		} else {
			await delay(50);
		}
	}

	// The admin event stream: every snapshot, request, move, kick and notice the core publishes.
	const controller = new AbortController();
	stopEvents = () => controller.abort();
	void request(`${url}/api/events`, {signal: controller.signal})
		.then(async (answer) => {
			for await (const chunk of answer.body) {
				events += (chunk as Buffer).toString('utf8');
			}
		})
		.catch(() => {});
	emitted.push({
		source: 'GET /api/events',
		get text() {
			return events;
		},
	});
});

after(async () => {
	stopEvents();
	if (daemon.exitCode === null) {
		daemon.kill('SIGKILL');
	}

	await upstream.close();
	rmSync(home, {recursive: true, force: true});
});

test('traffic, 401s, refresh failures, a reused and a revoked refresh token, admin calls: no secret in anything emitted', async () => {
	// Plain traffic on every client path.
	for (let i = 0; i < 6; i++) {
		assert.equal((await turn(`s-${i}`)).status, 200);
	}

	assert.equal((await chat(false)).status, 200);
	assert.equal((await chat(true)).status, 200);
	for (const pathname of ['/v1/models', '/backend-api/codex/models', '/backend-api/wham/usage', '/healthz']) {
		await http('GET', pathname, undefined, {authorization: `Bearer ${poolKey}`});
	}

	// 401s: the proxy refreshes after each and retries.
	upstream.faults.inject({kind: 'unauthorized', account: 'alpha', times: 2});
	upstream.accounts.expireAccessTokens('beta');
	for (let i = 0; i < 6; i++) {
		assert.equal((await turn(`after-401-${i}`)).status, 200);
	}

	collectStoreSecrets();
	collectUpstreamSecrets();

	// A refresh that fails for a passing reason (the issuer answers 500).
	upstream.faults.inject({kind: 'server_error', target: 'token', account: 'gamma', times: 3});
	upstream.accounts.expireAccessTokens('gamma');
	for (let i = 0; i < 4; i++) {
		await turn(`gamma-fails-${i}`);
	}

	// A refresh token spent behind the proxy's back: its next refresh is refused as refresh_token_reused.
	collectStoreSecrets();
	const stored = JSON.parse(readFileSync(path.join(home, 'codexpool.json'), 'utf8')) as {
		accounts: {name: string; tokens: {refreshToken: string}}[];
	};
	const alpha = stored.accounts.find((account) => account.name.startsWith('alpha'))!;
	const spent = await request(upstream.tokenUrl, {
		method: 'POST',
		headers: {'content-type': 'application/json'},
		body: JSON.stringify({
			client_id: 'app_EMoamEEZ73f0CkXaXp7hrann',
			grant_type: 'refresh_token',
			refresh_token: alpha.tokens.refreshToken,
		}),
	});
	const rotated = (await spent.body.json()) as {
		access_token: string;
		refresh_token: string;
		id_token: string;
	};
	secrets.add(rotated.access_token).add(rotated.refresh_token).add(rotated.id_token);
	upstream.accounts.expireAccessTokens('alpha');
	// And a revoked one.
	const beta = stored.accounts.find((account) => account.name.startsWith('beta'))!;
	upstream.accounts.revoke(beta.tokens.refreshToken);
	upstream.accounts.expireAccessTokens('beta');
	for (let i = 0; i < 6; i++) {
		const answer = await turn(`after-reuse-${i}`);
		assert.notEqual(answer.status, 401, 'a pooled account problem is never a 401 to the client');
	}

	// Admin calls, and the commands that read the state.
	for (const action of ['drain', 'restore', 'pin', 'unpin', 'evict', 'restore', 'kick']) {
		await http('POST', `/api/accounts/gamma/${action}`, {});
	}

	await http('POST', '/api/accounts/nobody/pin', {});
	await http('POST', '/api/strategy', {name: 'round-robin'});
	await http('POST', '/api/usage/refresh', {});
	await http('GET', '/api/state');
	await turn('with-a-wrong-key', 'cxp_wrong');
	const status = await cli('status', '--json');
	assert.equal(status.code, 0, status.stderr);
	assert.equal((await cli('accounts')).code, 0);
	assert.equal((await cli('accounts', '--json')).code, 0);
	await delay(300);
	daemon.kill('SIGTERM');
	await once(daemon, 'exit');
	stopEvents();

	collectStoreSecrets();
	collectUpstreamSecrets();

	// The test saw what it meant to provoke.
	const all = emitted.map((part) => part.text).join('\n');
	assert.match(all, /needs a new login/, 'the reused refresh token was reported');
	assert.match(all, /Could not refresh the token/, 'the failed refresh was reported');
	assert.ok(
		upstream.log.some((entry) => entry.status === 401),
		'the upstream answered 401s',
	);
	assert.ok(upstream.refreshTokens().uses.size >= 6, 'refresh tokens rotated');
	assert.ok(
		events.includes('event: request') && events.includes('event: notice'),
		'the event stream was read',
	);
	assert.ok(secrets.size >= 15, `${secrets.size} secrets known`);

	const leaks = findLeaks(emitted);
	// The search itself finds a token cut short inside a message.
	const planted = [...secrets].at(-1)!;
	assert.equal(findLeaks([{source: 'control', text: `token=${planted.slice(-30)}.`}]).length, 1);

	console.log(
		`searched ${emitted.length} outputs (${all.length} characters) for ${secrets.size} secrets: ${leaks.length} found`,
	);
	assert.deepEqual(leaks, []);

	// The store after all those writes: the file 0600, the folder 0700, and whatever else lives there.
	assert.equal(statSync(home).mode & 0o777, 0o700);
	for (const name of readdirSync(home)) {
		const mode = statSync(path.join(home, name)).mode & 0o777;
		assert.equal(mode & 0o077, 0, `${name} is readable by others (${mode.toString(8)})`);
	}

	assert.equal(statSync(path.join(home, 'codexpool.json')).mode & 0o777, 0o600);
});
