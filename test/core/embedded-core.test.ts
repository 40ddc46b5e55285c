import assert from 'node:assert/strict';
import {mkdtempSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {after, before, test} from 'node:test';
import {setTimeout as delay} from 'node:timers/promises';
import {request} from 'undici';
import {createRemoteCore} from '../../source/core/admin/remote-core.ts';
import type {Core} from '../../source/core/contract.ts';
import {type EmbeddedCore, startEmbeddedCore} from '../../source/core/core.ts';
import {importSimulatedAccounts} from '../../source/core/demo/seed-home.ts';
import {openStore} from '../../source/core/store/store.ts';
import {type FaultyUpstream, startFaultyUpstream} from '../helpers/faults.ts';

let upstream: FaultyUpstream;
let core: EmbeddedCore;
let remote: Core;

before(async () => {
	upstream = await startFaultyUpstream({
		accounts: [
			{name: 'alpha', fiveHourLimit: 2000},
			{name: 'beta', fiveHourLimit: 2000},
		],
	});
	const home = mkdtempSync(path.join(tmpdir(), 'codexpool-core-'));
	const store = openStore(home);
	importSimulatedAccounts(store, upstream, Date.now());
	core = await startEmbeddedCore({
		store,
		upstream: upstream.backendUrl,
		issuer: upstream.issuerUrl,
		port: 0,
		watchStore: false,
	});
	remote = await createRemoteCore({url: core.url});
});

after(async () => {
	await remote.stop();
	await core.stop();
	await upstream.close();
});

async function turn(session: string, text = 'hello') {
	const {statusCode, body} = await request(`${core.url}/backend-api/codex/responses`, {
		method: 'POST',
		headers: {'content-type': 'application/json', 'session-id': session},
		body: JSON.stringify({
			model: 'gpt-5.5',
			stream: true,
			store: false,
			input: [{type: 'message', role: 'user', content: [{type: 'input_text', text}]}],
		}),
	});
	return {statusCode, text: await body.text()};
}

test('a turn through the core shows up in the snapshot: request log, session, usage', async () => {
	const answer = await turn('s-1');
	assert.equal(answer.statusCode, 200);
	assert.match(answer.text, /response\.completed/);
	await delay(250);
	const snapshot = core.getSnapshot();
	assert.equal(snapshot.accounts.length, 2);
	assert.equal(snapshot.requests[0]?.status, 200);
	assert.equal(snapshot.sessions[0]?.id, 's-1');
	assert.ok(snapshot.totals.requests >= 1);
	const used = snapshot.accounts.find((account) => account.id === snapshot.sessions[0]?.accountId);
	assert.ok(
		used?.fiveHour !== undefined && used.fiveHour.usedPercent > 0,
		'usage headers reached the snapshot',
	);
});

test('the attached remote core sees the same state and its actions act on the daemon', async () => {
	await delay(150);
	assert.deepEqual(
		remote.getSnapshot().accounts.map((account) => account.name),
		core.getSnapshot().accounts.map((account) => account.name),
	);
	assert.equal(remote.getSnapshot().mode, 'attached');
	const result = await remote.drain('alpha');
	assert.equal(result.ok, true, result.message);
	assert.equal(
		core.getSnapshot().accounts.find((account) => account.name === 'alpha')?.state.kind,
		'drained',
	);
	await delay(200);
	assert.equal(
		remote.getSnapshot().accounts.find((account) => account.name === 'alpha')?.state.kind,
		'drained',
	);

	// Drained: new sessions go to beta only.
	for (const session of ['n-1', 'n-2', 'n-3']) {
		assert.equal((await turn(session)).statusCode, 200);
	}

	await delay(150);
	const beta = core.getSnapshot().accounts.find((account) => account.name === 'beta')!;
	for (const session of ['n-1', 'n-2', 'n-3']) {
		assert.equal(core.getSnapshot().sessions.find((s) => s.id === session)?.accountId, beta.id);
	}

	assert.equal((await remote.restore('alpha')).ok, true);
});

test('bad names and strategies come back as failed actions with the reason', async () => {
	const unknown = await remote.pin('nobody');
	assert.equal(unknown.ok, false);
	assert.match(unknown.message, /No account matches "nobody". Accounts: alpha, beta/);
	const strategy = await remote.setStrategy('no-such-strategy');
	assert.equal(strategy.ok, false);
	assert.match(strategy.message, /round-robin/);
	const good = await remote.setStrategy('round-robin');
	assert.equal(good.ok, true, good.message);
	assert.equal(core.getSnapshot().strategy, 'round-robin');
});

test('the admin API refuses web pages and non-JSON posts', async () => {
	const page = await request(`${core.url}/api/state`, {headers: {origin: 'https://evil.example'}});
	assert.equal(page.statusCode, 403);
	await page.body.dump();
	const form = await request(`${core.url}/api/accounts/alpha/evict`, {
		method: 'POST',
		headers: {'content-type': 'text/plain'},
		body: '{}',
	});
	assert.equal(form.statusCode, 415);
	await form.body.dump();
	assert.notEqual(
		core.getSnapshot().accounts.find((account) => account.name === 'alpha')?.state.kind,
		'evicted',
	);
});

test('no token appears in the snapshot', () => {
	const text = JSON.stringify(core.getSnapshot());
	for (const account of upstream.accounts.list()) {
		assert.ok(!text.includes(account.tokens.accessToken));
		assert.ok(!text.includes(account.tokens.refreshToken));
	}
});

test('a model request counts as in flight from its arrival until its answer ends', async () => {
	const slow = upstream.faults.inject({kind: 'slow_first_byte', delayMs: 600, times: 1});
	const pending = turn('in-flight-1');
	await delay(300);
	// Still waiting for the upstream's first byte, and already in flight: one count, wherever it is shown.
	assert.equal(core.getSnapshot().inFlight, 1);
	assert.equal(((await (await fetch(`${core.url}/healthz`)).json()) as {inFlight: number}).inFlight, 1);
	assert.equal((await pending).statusCode, 200);
	await delay(150);
	assert.equal(core.getSnapshot().inFlight, 0);
	assert.equal(((await (await fetch(`${core.url}/healthz`)).json()) as {inFlight: number}).inFlight, 0);
	slow.cancel();
});

test('every path Codex asks its usage on answers the pooled usage (none is shadowed by the admin API)', async () => {
	for (const path of ['/api/codex/usage', '/backend-api/api/codex/usage', '/backend-api/wham/usage']) {
		const answer = await fetch(`${core.url}${path}`);
		assert.equal(answer.status, 200, path);
		const body = (await answer.json()) as {rate_limit: {allowed: boolean; primary_window: unknown}};
		assert.equal(body.rate_limit.allowed, true, path);
		assert.ok(body.rate_limit.primary_window !== undefined, path);
	}
});
