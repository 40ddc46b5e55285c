import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import test from 'node:test';
import {importLogins} from '../../source/core/auth/import.ts';
import {TokenManager} from '../../source/core/auth/token-manager.ts';
import {systemClock} from '../../source/core/clock.ts';
import {createPoolProxy} from '../../source/core/proxy/index.ts';
import {createRandom} from '../../source/core/random.ts';
import {startSimulatedUpstream} from '../../source/core/simulated-backend/index.ts';
import {openStore} from '../../source/core/store/store.ts';
import {tempDir} from '../store/fixtures.ts';
import {postTurn, turnBody} from './harness.ts';
import {serveCodexRoutes} from './serve.ts';

// The proxy with the real token manager and store (what the core wires), against the simulated issuer.
async function start(t: import('node:test').TestContext, names: readonly string[]) {
	const upstream = await startSimulatedUpstream({accounts: names.map((name) => ({name}))});
	const store = openStore(tempDir());
	const dir = tempDir();
	for (const name of names) {
		fs.writeFileSync(path.join(dir, `${name}.auth.json`), JSON.stringify(upstream.accounts.authJson(name)));
	}

	importLogins(store, dir, {now: Date.now()});
	const tokens = new TokenManager({store, issuer: upstream.issuerUrl});
	const proxy = createPoolProxy({
		clock: systemClock,
		random: createRandom(1),
		records: store.listAccounts(),
		tokens,
		strategy: () => 'round-robin',
		upstream: upstream.backendUrl,
	});
	const unsubscribe = store.onDidChange(() => proxy.pool.setRecords(store.listAccounts()));
	const served = await serveCodexRoutes({...proxy, clock: systemClock});
	const url = served.url;
	t.after(async () => {
		unsubscribe();
		await served.close();
		await proxy.close();
		await upstream.close();
	});
	return {upstream, store, proxy, url};
}

test('real token manager: 20 concurrent requests with an expired token, one refresh, rotated token saved', async (t) => {
	const {upstream, store, url} = await start(t, ['a']);
	upstream.accounts.expireAccessTokens('a');
	const results = await Promise.all(
		Array.from({length: 20}, (_, index) =>
			postTurn(url, turnBody(`hi ${index}`), {'session-id': `s${index}`}),
		),
	);
	assert.deepEqual(
		results.map((result) => result.status),
		Array.from({length: 20}, () => 200),
	);
	const stats = upstream.refreshTokens();
	assert.equal(
		[...stats.uses.values()].reduce((sum, uses) => sum + uses, 0),
		1,
		'one refresh in all',
	);
	assert.deepEqual(stats.reused, []);
	const saved = store.getAccount(upstream.accounts.get('a').accountId);
	assert.equal(
		saved?.tokens.accessToken,
		upstream.accounts.get('a').tokens.accessToken,
		'the rotated tokens were saved',
	);
});

test('real token manager: a refused refresh marks needs-login and the client sees no 401', async (t) => {
	const {upstream, proxy, url} = await start(t, ['a']);
	// Spend the saved refresh token elsewhere, so the proxy's refresh is refused as reused.
	await fetch(upstream.tokenUrl, {
		method: 'POST',
		headers: {'content-type': 'application/json'},
		body: JSON.stringify({
			client_id: 'app_EMoamEEZ73f0CkXaXp7hrann',
			grant_type: 'refresh_token',
			refresh_token: upstream.accounts.authJson('a').tokens.refresh_token,
		}),
	});
	upstream.accounts.expireAccessTokens('a');
	const response = await fetch(`${url}/backend-api/codex/responses`, {
		method: 'POST',
		headers: {'content-type': 'application/json'},
		body: JSON.stringify(turnBody('hi')),
	});
	assert.notEqual(response.status, 401);
	assert.equal(response.status, 503);
	const body = (await response.json()) as {error: {message: string}};
	assert.match(body.error.message, /login/);
	assert.equal(proxy.pool.isUsable(upstream.accounts.get('a').accountId), false);
});
