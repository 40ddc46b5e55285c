import assert from 'node:assert/strict';
import {randomBytes} from 'node:crypto';
import {test} from 'node:test';
import {createManualClock, HOUR} from '../../source/core/clock.ts';
import {
	AUTH_CLAIM,
	CODEX_CLIENT_ID,
	decodeJwtPayload,
	pkceChallenge,
	startSimulatedUpstream,
} from '../../source/core/simulated-backend/index.ts';
import {codexBody, postResponses} from './helpers.ts';

type Claims = {email: string; exp: number} & Record<
	string,
	{chatgpt_account_id: string; chatgpt_plan_type: string; chatgpt_user_id: string}
>;
const claimsOf = (token: string) => decodeJwtPayload(token) as Claims;

const refresh = (tokenUrl: string, refreshToken: string) =>
	fetch(tokenUrl, {
		method: 'POST',
		headers: {'content-type': 'application/json'},
		body: JSON.stringify({
			client_id: CODEX_CLIENT_ID,
			grant_type: 'refresh_token',
			refresh_token: refreshToken,
		}),
	});

const form = (url: string, fields: Record<string, string>) =>
	fetch(url, {
		method: 'POST',
		headers: {'content-type': 'application/x-www-form-urlencoded'},
		body: new URLSearchParams(fields).toString(),
	});

test('auth.json carries JWTs with the claims Codex reads', async (t) => {
	const upstream = await startSimulatedUpstream({accounts: [{name: 'a', plan: 'pro', email: 'a@corp.test'}]});
	t.after(() => upstream.close());
	const auth = upstream.accounts.authJson('a');
	assert.equal(auth.auth_mode, 'chatgpt');
	assert.equal(auth.tokens.account_id, upstream.accounts.get('a').accountId);
	for (const token of [auth.tokens.id_token, auth.tokens.access_token]) {
		const claims = claimsOf(token);
		assert.equal(claims.email, 'a@corp.test');
		assert.equal(claims[AUTH_CLAIM]?.chatgpt_account_id, auth.tokens.account_id);
		assert.equal(claims[AUTH_CLAIM]?.chatgpt_plan_type, 'pro');
		assert.equal(typeof claims[AUTH_CLAIM]?.chatgpt_user_id, 'string');
		assert.ok(claims.exp > Date.now() / 1000);
	}
});

test('a refresh rotates the tokens; the old refresh token used again gets 401 refresh_token_reused', async (t) => {
	const upstream = await startSimulatedUpstream({accounts: [{name: 'a'}]});
	t.after(() => upstream.close());
	const old = upstream.accounts.get('a').tokens;
	const first = await refresh(upstream.tokenUrl, old.refreshToken);
	assert.equal(first.status, 200);
	const rotated = (await first.json()) as {access_token: string; refresh_token: string; id_token: string};
	assert.notEqual(rotated.refresh_token, old.refreshToken);
	assert.notEqual(rotated.access_token, old.accessToken);
	assert.equal(upstream.accounts.get('a').tokens.refreshToken, rotated.refresh_token);
	assert.deepEqual(upstream.refreshTokens().reused, []);

	const again = await refresh(upstream.tokenUrl, old.refreshToken);
	assert.equal(again.status, 401);
	const {error} = (await again.json()) as {error: {code: string; message: string}};
	assert.equal(error.code, 'refresh_token_reused');
	assert.equal(
		error.message,
		'Your refresh token has already been used to generate a new access token. Please try signing in again.',
	);
	assert.deepEqual(upstream.refreshTokens().reused, [old.refreshToken]);
	assert.equal(upstream.refreshTokens().uses.get(rotated.refresh_token), 0);
	assert.equal((await refresh(upstream.tokenUrl, rotated.refresh_token)).status, 200);
});

test('access tokens expire after their lifetime; the refreshed one works', async (t) => {
	const clock = createManualClock(Date.UTC(2026, 0, 1));
	const upstream = await startSimulatedUpstream({
		clock,
		accessTokenLifetimeMs: HOUR,
		accounts: [{name: 'a'}],
	});
	t.after(() => upstream.close());
	const exp = decodeJwtPayload(upstream.accounts.get('a').tokens.accessToken)?.exp;
	assert.equal(exp, (Date.UTC(2026, 0, 1) + HOUR) / 1000);
	clock.advance(HOUR);
	const expired = await postResponses(upstream, 'a', codexBody('hi'));
	assert.equal(expired.status, 401);
	assert.equal(((await expired.json()) as {error: {code: string}}).error.code, 'token_expired');
	assert.equal(
		(await refresh(upstream.tokenUrl, upstream.accounts.get('a').tokens.refreshToken)).status,
		200,
	);
	const fresh = await postResponses(upstream, 'a', codexBody('hi'));
	assert.equal(fresh.status, 200);
	await fresh.text();
	upstream.accounts.expireAccessTokens('a');
	assert.equal((await postResponses(upstream, 'a', codexBody('hi'))).status, 401);
});

test('browser login: authorize redirects with code and state; the exchange checks the PKCE verifier', async (t) => {
	const upstream = await startSimulatedUpstream({accounts: [{name: 'a'}, {name: 'b'}]});
	t.after(() => upstream.close());
	upstream.accounts.setLoginAccount('b');
	const verifier = randomBytes(64).toString('base64url');
	const redirectUri = 'http://localhost:1455/auth/callback';
	const authorize = new URL(`${upstream.issuerUrl}/oauth/authorize`);
	for (const [key, value] of Object.entries({
		response_type: 'code',
		client_id: CODEX_CLIENT_ID,
		redirect_uri: redirectUri,
		scope: 'openid profile email offline_access',
		code_challenge: pkceChallenge(verifier),
		code_challenge_method: 'S256',
		state: 'st4te',
	})) {
		authorize.searchParams.set(key, value);
	}

	const redirect = await fetch(authorize, {redirect: 'manual'});
	assert.equal(redirect.status, 302);
	const location = new URL(redirect.headers.get('location') ?? '');
	assert.equal(`${location.origin}${location.pathname}`, redirectUri);
	assert.equal(location.searchParams.get('state'), 'st4te');
	const code = location.searchParams.get('code') ?? '';
	const exchange = (codeVerifier: string) =>
		form(upstream.tokenUrl, {
			grant_type: 'authorization_code',
			code,
			redirect_uri: redirectUri,
			client_id: CODEX_CLIENT_ID,
			code_verifier: codeVerifier,
		});

	const wrong = await exchange(randomBytes(64).toString('base64url'));
	assert.equal(wrong.status, 400);
	assert.match(((await wrong.json()) as {error_description: string}).error_description, /PKCE/);
	const right = await exchange(verifier);
	assert.equal(right.status, 200);
	const tokens = (await right.json()) as {id_token: string; access_token: string; refresh_token: string};
	assert.equal(
		claimsOf(tokens.id_token)[AUTH_CLAIM]?.chatgpt_account_id,
		upstream.accounts.get('b').accountId,
	);
	assert.equal((await exchange(verifier)).status, 400, 'a code is single use');

	const apiKey = await form(upstream.tokenUrl, {
		grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
		client_id: CODEX_CLIENT_ID,
		requested_token: 'openai-api-key',
		subject_token: tokens.id_token,
		subject_token_type: 'urn:ietf:params:oauth:token-type:id_token',
	});
	assert.equal(apiKey.status, 200);
	assert.match(((await apiKey.json()) as {access_token: string}).access_token, /^sk-/);
});

test('device login: pending 403 for the configured polls, then the code and verifier that exchange for tokens', async (t) => {
	const upstream = await startSimulatedUpstream({devicePendingPolls: 2, accounts: [{name: 'a'}]});
	t.after(() => upstream.close());
	const post = (path: string, body: unknown) =>
		fetch(`${upstream.issuerUrl}${path}`, {
			method: 'POST',
			headers: {'content-type': 'application/json'},
			body: JSON.stringify(body),
		});
	const start = (await (
		await post('/api/accounts/deviceauth/usercode', {client_id: CODEX_CLIENT_ID})
	).json()) as {
		device_auth_id: string;
		user_code: string;
		interval: string;
	};
	assert.equal(start.interval, '0');
	const poll = () =>
		post('/api/accounts/deviceauth/token', {
			device_auth_id: start.device_auth_id,
			user_code: start.user_code,
		});
	assert.equal((await poll()).status, 403);
	assert.equal((await poll()).status, 403);
	const done = await poll();
	assert.equal(done.status, 200);
	const {authorization_code, code_verifier, code_challenge} = (await done.json()) as Record<string, string>;
	assert.equal(pkceChallenge(code_verifier ?? ''), code_challenge);
	const tokens = await form(upstream.tokenUrl, {
		grant_type: 'authorization_code',
		code: authorization_code ?? '',
		redirect_uri: `${upstream.issuerUrl}/deviceauth/callback`,
		client_id: CODEX_CLIENT_ID,
		code_verifier: code_verifier ?? '',
	});
	assert.equal(tokens.status, 200);
});

test('a revoked refresh token is refused with refresh_token_invalidated', async (t) => {
	const upstream = await startSimulatedUpstream({accounts: [{name: 'a'}]});
	t.after(() => upstream.close());
	const {refreshToken} = upstream.accounts.get('a').tokens;
	const revoked = await fetch(`${upstream.issuerUrl}/oauth/revoke`, {
		method: 'POST',
		headers: {'content-type': 'application/json'},
		body: JSON.stringify({token: refreshToken, token_type_hint: 'refresh_token'}),
	});
	assert.equal(revoked.status, 200);
	const response = await refresh(upstream.tokenUrl, refreshToken);
	assert.equal(response.status, 401);
	assert.equal(((await response.json()) as {error: {code: string}}).error.code, 'refresh_token_invalidated');
});
