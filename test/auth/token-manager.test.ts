import assert from 'node:assert/strict';
import {createHash} from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import {afterEach, beforeEach, describe, it} from 'node:test';
import {
	NeedsLoginError,
	type TokenEvent,
	TokenManager,
	TokenRefreshError,
} from '../../source/core/auth/token-manager.ts';
import {createManualClock, MINUTE} from '../../source/core/clock.ts';
import {openStore, type Store} from '../../source/core/store/store.ts';
import {makeAccessToken, makeAccount, makeJwt, tempDir} from '../store/fixtures.ts';
import {startTestIssuer, type TestIssuer} from './issuer.ts';

let issuer: TestIssuer;
let store: Store;
let events: TokenEvent[];
let clock: ReturnType<typeof createManualClock>;
let manager: TokenManager;

/** Saves an account whose access token expires `expiresInMs` from now and whose refresh token the issuer knows. */
function addAccount(id: string, expiresInMs: number, name = id) {
	const account = makeAccount(id, {name});
	const tokens = {...account.tokens, accessToken: makeAccessToken(clock.now() + expiresInMs, `${id}-start`)};
	store.addAccount({...account, tokens});
	issuer.valid.set(tokens.refreshToken, id);
	return tokens;
}

/** Waits until no refresh of the account runs (one started in the background, say). */
async function settle(accountId: string) {
	while (manager.isRefreshing(accountId)) {
		await new Promise((resolve) => setTimeout(resolve, 5));
	}
}

beforeEach(async () => {
	issuer = await startTestIssuer();
	store = openStore(tempDir());
	events = [];
	clock = createManualClock(Date.now());
	manager = new TokenManager({store, issuer: issuer.url, clock, onEvent: (event) => events.push(event)});
});

afterEach(async () => {
	await issuer.close();
});

describe('TokenManager', () => {
	it('returns the saved access token while it is valid for more than 5 minutes', async () => {
		const tokens = addAccount('a', 6 * MINUTE);
		assert.equal(await manager.getAccessToken('a'), tokens.accessToken);
		assert.equal(issuer.requests.length, 0);
	});

	it('refreshes within 5 minutes of exp as Codex does, in the background while the token has over a minute left', async () => {
		const old = addAccount('a', 4 * MINUTE);
		assert.equal(await manager.getAccessToken('a'), old.accessToken);
		await settle('a');
		const onDisk = JSON.parse(fs.readFileSync(store.path, 'utf8')).accounts[0].tokens;
		assert.notEqual(onDisk.accessToken, old.accessToken);
		assert.notEqual(onDisk.refreshToken, old.refreshToken);
		assert.equal(onDisk.lastRefresh, clock.now());
		assert.equal(await manager.getAccessToken('a'), onDisk.accessToken);
		assert.equal(store.getAccount('a')?.plan, 'pro');
		assert.deepEqual(issuer.requests[0], {
			path: '/oauth/token',
			contentType: 'application/json',
			body: {
				client_id: 'app_EMoamEEZ73f0CkXaXp7hrann',
				grant_type: 'refresh_token',
				refresh_token: old.refreshToken,
			},
		});
		assert.deepEqual(events, [{type: 'refreshed', accountId: 'a', reason: 'proactive'}]);
	});

	it('with under a minute left, refreshes before answering and has saved the rotated tokens by then', async () => {
		const old = addAccount('a', 30_000);
		const token = await manager.getAccessToken('a');
		const onDisk = JSON.parse(fs.readFileSync(store.path, 'utf8')).accounts[0].tokens;
		assert.equal(onDisk.accessToken, token);
		assert.notEqual(token, old.accessToken);
		assert.notEqual(onDisk.refreshToken, old.refreshToken);
	});

	it('runs one refresh per account whatever the concurrency', async () => {
		addAccount('a', -MINUTE);
		addAccount('b', -MINUTE);
		issuer.delayMs = 30;
		const tokens = await Promise.all([
			...Array.from({length: 20}, () => manager.getAccessToken('a')),
			...Array.from({length: 20}, () => manager.getAccessToken('b')),
		]);
		assert.equal(issuer.refreshTokensSeen.length, 2);
		assert.equal(new Set(tokens.slice(0, 20)).size, 1);
		assert.equal(new Set(tokens.slice(20)).size, 1);
		assert.equal(store.getAccount('a')?.tokens.accessToken, tokens[0]);
	});

	it('after a 401: refreshes once for 20 concurrent callers, and not at all when the token already changed', async () => {
		const old = addAccount('a', 60 * MINUTE);
		issuer.delayMs = 20;
		const fresh = await Promise.all(
			Array.from({length: 20}, () => manager.refreshAfter401('a', old.accessToken)),
		);
		assert.equal(issuer.refreshTokensSeen.length, 1);
		assert.equal(new Set(fresh).size, 1);
		assert.notEqual(fresh[0], old.accessToken);
		// A late 401 for the old token: the new token is returned without asking the issuer.
		assert.equal(await manager.refreshAfter401('a', old.accessToken), fresh[0]);
		assert.equal(issuer.refreshTokensSeen.length, 1);
		assert.deepEqual(events, [{type: 'refreshed', accountId: 'a', reason: 'unauthorized'}]);
	});

	it('never sends a refresh token twice over many refreshes', async () => {
		addAccount('a', 60 * MINUTE);
		for (let i = 0; i < 10; i++) {
			const current = store.getAccount('a')!.tokens.accessToken;
			await Promise.all([manager.refreshAfter401('a', current), manager.refreshAfter401('a', current)]);
		}

		assert.equal(issuer.refreshTokensSeen.length, 10);
		assert.equal(new Set(issuer.refreshTokensSeen).size, 10);
	});

	const permanent: [string, number, unknown][] = [
		['refresh_token_reused', 401, {error: {code: 'refresh_token_reused', message: 'already used'}}],
		['refresh_token_expired', 400, {error: {code: 'refresh_token_expired'}}],
		['refresh_token_invalidated', 401, {error: {code: 'refresh_token_invalidated'}}],
		['invalid_grant', 400, {error: 'invalid_grant', error_description: 'bad'}],
		['app_session_terminated', 400, {error: {code: 'app_session_terminated'}}],
		['any 401', 401, {}],
	];
	for (const [label, status, body] of permanent) {
		it(`marks the account needs-login on a permanent refusal (${label}) and never retries that token`, async () => {
			addAccount('a', -MINUTE, 'work');
			addAccount('b', 60 * MINUTE);
			issuer.fault = {status, body};
			await assert.rejects(manager.getAccessToken('a'), (error: unknown) => {
				assert.ok(error instanceof NeedsLoginError);
				assert.match(error.message, /Log in again with `codexpool login --name work`/);
				return true;
			});
			const problem = store.getAccount('a')?.needsLogin;
			assert.ok(problem);
			assert.match(problem.message, /codexpool login --name work/);
			issuer.fault = undefined;
			await assert.rejects(manager.getAccessToken('a'), NeedsLoginError);
			await assert.rejects(manager.refreshAfter401('a', 'x'), NeedsLoginError);
			assert.equal(issuer.refreshTokensSeen.length, 1);
			// The other accounts go on.
			assert.ok(await manager.getAccessToken('b'));
			assert.equal(events.filter((event) => event.type === 'needs-login').length, 1);
		});
	}

	const transient: [string, number, unknown][] = [
		['503', 503, {error: 'unavailable'}],
		['500 without JSON', 500, 'oops'],
		['400 with another code', 400, {error: {code: 'invalid_request'}}],
		['429', 429, {error: {code: 'rate_limited'}}],
	];
	for (const [label, status, body] of transient) {
		it(`does not mark the account on a passing failure (${label}); retries after a backoff`, async () => {
			const old = addAccount('a', 2 * MINUTE);
			issuer.fault = {status, body};
			// The old token is still valid for 2 minutes: it is returned (the refresh fails in the background).
			assert.equal(await manager.getAccessToken('a'), old.accessToken);
			await settle('a');
			assert.equal(store.getAccount('a')?.needsLogin, undefined);
			assert.equal(events[0]?.type, 'refresh-failed');
			// Within the backoff the issuer is not asked again.
			assert.equal(await manager.getAccessToken('a'), old.accessToken);
			await settle('a');
			assert.equal(issuer.refreshTokensSeen.length, 1);
			// Expired and still failing: a TokenRefreshError with the retry time.
			clock.advance(3 * MINUTE);
			await assert.rejects(manager.getAccessToken('a'), (error: unknown) => {
				assert.ok(error instanceof TokenRefreshError);
				assert.match(error.message, /Could not refresh the token of a: .*Trying again in \d+ s/);
				return true;
			});
			issuer.fault = undefined;
			clock.advance(MINUTE);
			const fresh = await manager.getAccessToken('a');
			assert.notEqual(fresh, old.accessToken);
			assert.equal(store.getAccount('a')?.needsLogin, undefined);
		});
	}

	it('treats an unreachable issuer as a passing failure', async () => {
		addAccount('a', -MINUTE);
		await issuer.close();
		await assert.rejects(manager.getAccessToken('a'), (error: unknown) => {
			assert.ok(error instanceof TokenRefreshError);
			assert.match(error.message, /cannot reach http:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\)/);
			return true;
		});
		assert.equal(store.getAccount('a')?.needsLogin, undefined);
	});

	it('without a readable exp, refreshes when the last refresh is older than 8 days', async () => {
		const account = makeAccount('a');
		const opaque = {
			...account.tokens,
			accessToken: makeJwt({}),
			lastRefresh: clock.now() - 7 * 24 * 60 * MINUTE,
		};
		store.addAccount({...account, tokens: opaque});
		issuer.valid.set(opaque.refreshToken, 'a');
		assert.equal(await manager.getAccessToken('a'), opaque.accessToken);
		clock.advance(2 * 24 * 60 * MINUTE);
		assert.notEqual(await manager.getAccessToken('a'), opaque.accessToken);
		assert.equal(issuer.refreshTokensSeen.length, 1);
	});

	it('puts no token in any error message or event', async () => {
		addAccount('a', -MINUTE);
		addAccount('b', -MINUTE);
		const messages: string[] = [];
		issuer.fault = {status: 503, body: {}};
		await manager.getAccessToken('a').catch((error: Error) => messages.push(error.message));
		issuer.fault = {status: 401, body: {error: {code: 'refresh_token_reused'}}};
		await manager.getAccessToken('b').catch((error: Error) => messages.push(error.message));
		await manager.refreshAfter401('b', 'x').catch((error: Error) => messages.push(error.message));
		const emitted =
			JSON.stringify(events) + messages.join('\n') + JSON.stringify(store.getAccount('b')?.needsLogin);
		const secrets = store
			.listAccounts()
			.flatMap((account) => [account.tokens.accessToken, account.tokens.refreshToken]);
		assert.ok(messages.length === 3 && secrets.length === 4);
		for (const secret of [...secrets, ...issuer.refreshTokensSeen]) {
			assert.ok(!emitted.includes(secret), 'a token leaked');
		}
	});

	it('two processes sharing a home send one refresh, not two (lock file), and leave no lock behind', async () => {
		addAccount('a', -MINUTE);
		const old = store.getAccount('a')!.tokens.accessToken;
		// A second process: its own store object and token manager on the same home.
		const other = new TokenManager({store: openStore(store.home), issuer: issuer.url, clock});
		issuer.delayMs = 50;
		const [first, second] = await Promise.all([manager.getAccessToken('a'), other.getAccessToken('a')]);
		assert.equal(issuer.refreshTokensSeen.length, 1);
		assert.equal(first, second);
		const [third, fourth] = await Promise.all([
			manager.refreshAfter401('a', first),
			other.refreshAfter401('a', first),
		]);
		assert.equal(issuer.refreshTokensSeen.length, 2);
		assert.equal(third, fourth);
		assert.notEqual(third, old);
		assert.deepEqual(
			fs.readdirSync(store.home).filter((name) => name.endsWith('.lock')),
			[],
		);
	});

	it('waits for a lock another process holds, and takes over one left by a process that died', async () => {
		addAccount('a', -MINUTE);
		const lock = path.join(
			store.home,
			`.refresh-${createHash('sha256').update('a').digest('hex').slice(0, 16)}.lock`,
		);
		fs.writeFileSync(lock, '99999\n');
		const waiting = manager.getAccessToken('a');
		await new Promise((resolve) => setTimeout(resolve, 150));
		assert.equal(issuer.refreshTokensSeen.length, 0);
		fs.rmSync(lock);
		await waiting;
		assert.equal(issuer.refreshTokensSeen.length, 1);

		fs.writeFileSync(lock, '99999\n');
		const old = new Date(Date.now() - 120_000);
		fs.utimesSync(lock, old, old);
		clock.advance(2 * 60 * MINUTE);
		await manager.getAccessToken('a');
		assert.equal(issuer.refreshTokensSeen.length, 2);
		assert.ok(!fs.existsSync(lock));
	});

	it('explains an unknown account', async () => {
		await assert.rejects(manager.getAccessToken('nope'), /No saved account has the id nope/);
	});
});
