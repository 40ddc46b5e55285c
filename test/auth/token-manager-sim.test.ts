import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {afterEach, beforeEach, it} from 'node:test';
import {importLogins} from '../../source/core/auth/import.ts';
import {NeedsLoginError, TokenManager, TokenRefreshError} from '../../source/core/auth/token-manager.ts';
import {openStore, type Store} from '../../source/core/store/store.ts';
import {type FaultyUpstream, startFaultyUpstream} from '../helpers/faults.ts';
import {tempDir} from '../store/fixtures.ts';

// The token manager against the simulated issuer (rotating refresh tokens, faults on /oauth/token).
let upstream: FaultyUpstream;
let store: Store;

beforeEach(async () => {
	upstream = await startFaultyUpstream();
	upstream.accounts.add({name: 'a', email: 'a@example.test'});
	upstream.accounts.add({name: 'short', accessTokenLifetimeMs: 60_000});
	store = openStore(tempDir());
	const dir = tempDir();
	for (const name of ['a', 'short']) {
		fs.writeFileSync(path.join(dir, `${name}.auth.json`), JSON.stringify(upstream.accounts.authJson(name)));
	}

	importLogins(store, dir, {now: Date.now()});
});

afterEach(async () => {
	await upstream.close();
});

const id = (name: string) => upstream.accounts.get(name).accountId;

it('refreshes a soon-expiring token once under 20 concurrent callers; no refresh token is ever sent twice', async () => {
	const manager = new TokenManager({store, issuer: upstream.issuerUrl});
	const tokens = await Promise.all(Array.from({length: 20}, () => manager.getAccessToken(id('short'))));
	assert.equal(new Set(tokens).size, 1);
	assert.equal(tokens[0], upstream.accounts.get('short').tokens.accessToken);
	// The long-lived one was not refreshed.
	assert.equal(await manager.getAccessToken(id('a')), upstream.accounts.get('a').tokens.accessToken);
	for (let round = 0; round < 5; round++) {
		const current = store.getAccount(id('a'))!.tokens.accessToken;
		await Promise.all(Array.from({length: 20}, () => manager.refreshAfter401(id('a'), current)));
	}

	const stats = upstream.refreshTokens();
	assert.deepEqual(stats.reused, []);
	assert.equal(stats.unknown, 0);
	assert.equal(
		[...stats.uses.values()].reduce((sum, uses) => sum + uses, 0),
		6,
	);
});

it('rides out a failing issuer, then marks a login another client rotated as needing a login', async () => {
	const manager = new TokenManager({store, issuer: upstream.issuerUrl});
	const before = store.getAccount(id('a'))!.tokens.accessToken;
	upstream.faults.inject({kind: 'server_error', target: 'token'});
	await assert.rejects(manager.refreshAfter401(id('a'), before), TokenRefreshError);
	assert.equal(store.getAccount(id('a'))?.needsLogin, undefined);

	// Another client holding the same login (Codex CLI, say) refreshes first: our copy is now spent.
	const response = await fetch(upstream.tokenUrl, {
		method: 'POST',
		headers: {'content-type': 'application/json'},
		body: JSON.stringify({
			client_id: 'app_EMoamEEZ73f0CkXaXp7hrann',
			grant_type: 'refresh_token',
			refresh_token: store.getAccount(id('short'))!.tokens.refreshToken,
		}),
	});
	assert.equal(response.status, 200);
	await assert.rejects(manager.getAccessToken(id('short')), (error: unknown) => {
		assert.ok(error instanceof NeedsLoginError);
		assert.match(
			error.message,
			/already used, for example by a Codex CLI sharing this login.*codexpool login --name short@example\.test/,
		);
		return true;
	});
	assert.equal(store.getAccount(id('short'))?.needsLogin?.code, 'refresh_token_reused');
});
