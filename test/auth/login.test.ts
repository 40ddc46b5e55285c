import assert from 'node:assert/strict';
import http from 'node:http';
import type {AddressInfo} from 'node:net';
import {afterEach, beforeEach, describe, it} from 'node:test';
import {browserLogin} from '../../source/core/auth/browser-login.ts';
import {deviceLogin} from '../../source/core/auth/device-login.ts';
import {pkceChallenge} from '../../source/core/auth/pkce.ts';
import {makeAccessToken, makeIdToken} from '../store/fixtures.ts';
import {startTestIssuer, type TestIssuer} from './issuer.ts';

let issuer: TestIssuer;
/** What the authorize step should do: answer with the code (default), an error, or a wrong state. */
let authorizeMode: 'code' | 'error' | 'wrong-state' | 'refuse-exchange';
let authorizeQuery: URLSearchParams | undefined;

const loginTokens = {
	id_token: makeIdToken({accountId: 'acc-login', email: 'me@example.com', plan: 'pro'}),
	access_token: makeAccessToken(Date.now() + 3_600_000),
	refresh_token: 'rt-login',
};

beforeEach(async () => {
	issuer = await startTestIssuer();
	authorizeMode = 'code';
	authorizeQuery = undefined;
	let challenge = '';
	issuer.other = (request, body, response) => {
		const url = new URL(request.url ?? '/', issuer.url);
		if (url.pathname === '/oauth/authorize') {
			authorizeQuery = url.searchParams;
			challenge = url.searchParams.get('code_challenge') ?? '';
			const target = new URL(url.searchParams.get('redirect_uri')!);
			if (authorizeMode === 'error') {
				target.searchParams.set('error', 'access_denied');
				target.searchParams.set('error_description', 'The user said no.');
			} else {
				target.searchParams.set('code', 'the-code');
				target.searchParams.set(
					'state',
					authorizeMode === 'wrong-state' ? 'forged' : url.searchParams.get('state')!,
				);
			}

			response.writeHead(302, {location: target.toString()});
			response.end();
			return;
		}

		if (url.pathname === '/oauth/token' && body.grant_type === 'authorization_code') {
			const ok = authorizeMode !== 'refuse-exchange' && pkceChallenge(body.code_verifier ?? '') === challenge;
			response.writeHead(ok ? 200 : 400, {'content-type': 'application/json'});
			response.end(
				JSON.stringify(ok ? loginTokens : {error: 'invalid_grant', error_description: 'PKCE failed'}),
			);
			return;
		}

		response.writeHead(404);
		response.end();
	};
});

afterEach(async () => {
	await issuer.close();
});

/** A browser that follows the authorize URL and its redirects, as a real one would. */
const follow = async (url: string) => {
	await fetch(url);
};

describe('browserLogin', () => {
	it('runs the PKCE flow as Codex CLI does and returns the tokens', async () => {
		const shown: string[] = [];
		let page: Promise<string> | undefined;
		const tokens = await browserLogin({
			issuer: issuer.url,
			ports: [0],
			onUrl: (url) => shown.push(url),
			openBrowser: (url) => {
				page = fetch(url).then((response) => response.text());
			},
		});
		// The browser ends on a page that says the login is complete.
		assert.match(await page!, /The login is complete/);
		assert.deepEqual(tokens, {
			idToken: loginTokens.id_token,
			accessToken: loginTokens.access_token,
			refreshToken: 'rt-login',
		});
		assert.equal(shown.length, 1);
		assert.match(
			shown[0]!,
			/^http:\/\/127\.0\.0\.1:\d+\/oauth\/authorize\?response_type=code&client_id=app_EMoamEEZ73f0CkXaXp7hrann&/,
		);
		assert.match(
			shown[0]!,
			/scope=openid%20profile%20email%20offline_access%20api\.connectors\.read%20api\.connectors\.invoke/,
		);
		const query = authorizeQuery!;
		assert.match(query.get('redirect_uri')!, /^http:\/\/localhost:\d+\/auth\/callback$/);
		assert.equal(query.get('code_challenge_method'), 'S256');
		assert.match(query.get('code_challenge')!, /^[\w-]{43}$/);
		assert.match(query.get('state')!, /^[\w-]{43}$/);
		assert.equal(query.get('id_token_add_organizations'), 'true');
		assert.equal(query.get('codex_cli_simplified_flow'), 'true');
		assert.equal(query.get('originator'), 'codex_cli_rs');
		const exchange = issuer.requests.find((request) => request.body.grant_type === 'authorization_code')!;
		assert.equal(exchange.contentType, 'application/x-www-form-urlencoded');
		assert.equal(exchange.body.client_id, 'app_EMoamEEZ73f0CkXaXp7hrann');
		assert.equal(exchange.body.redirect_uri, query.get('redirect_uri'));
		// 64 random bytes, base64url without padding.
		assert.match(exchange.body.code_verifier!, /^[\w-]{86}$/);
	});

	it('takes the next port when the first is in use', async () => {
		const busy = http.createServer();
		await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
		const busyPort = (busy.address() as AddressInfo).port;
		try {
			let redirect = '';
			await browserLogin({
				issuer: issuer.url,
				ports: [busyPort, 0],
				onUrl: (_url, redirectUri) => {
					redirect = redirectUri;
				},
				openBrowser: follow,
			});
			assert.doesNotMatch(redirect, new RegExp(`:${busyPort}/`));
		} finally {
			busy.close();
		}
	});

	it('explains when every callback port is in use', async () => {
		const busy = http.createServer();
		await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
		const port = (busy.address() as AddressInfo).port;
		try {
			await assert.rejects(
				browserLogin({issuer: issuer.url, ports: [port], onUrl: () => {}, openBrowser: follow}),
				new RegExp(`needs port ${port} on 127\\.0\\.0\\.1, and they are in use.*codexpool login --device`),
			);
		} finally {
			busy.close();
		}
	});

	it('reports a refusal in the browser', async () => {
		authorizeMode = 'error';
		await assert.rejects(
			browserLogin({issuer: issuer.url, ports: [0], onUrl: () => {}, openBrowser: follow}),
			/The login was refused: access_denied \(The user said no\.\)\. Run `codexpool login` to try again/,
		);
	});

	it('reports a code the issuer refuses', async () => {
		authorizeMode = 'refuse-exchange';
		await assert.rejects(
			browserLogin({issuer: issuer.url, ports: [0], onUrl: () => {}, openBrowser: follow}),
			/The issuer refused the login code \(HTTP 400, invalid_grant: PKCE failed\)/,
		);
	});

	it('ignores a callback with another state and times out with a clear message', async () => {
		authorizeMode = 'wrong-state';
		await assert.rejects(
			browserLogin({issuer: issuer.url, ports: [0], onUrl: () => {}, openBrowser: follow, timeoutMs: 300}),
			/No login arrived within 0 s\. Run `codexpool login` again, or `codexpool login --device`/,
		);
		assert.equal(
			issuer.requests.filter((request) => request.body.grant_type === 'authorization_code').length,
			0,
		);
	});
});

describe('deviceLogin', () => {
	it('polls until the user typed the code, then exchanges it', async () => {
		let polls = 0;
		issuer.other = (request, body, response) => {
			const send = (status: number, value: unknown) => {
				response.writeHead(status, {'content-type': 'application/json'});
				response.end(JSON.stringify(value));
			};
			if (request.url === '/api/accounts/deviceauth/usercode') {
				assert.equal(body.client_id, 'app_EMoamEEZ73f0CkXaXp7hrann');
				send(200, {device_auth_id: 'dev-1', usercode: 'ABCD-EFGH', interval: '0'});
			} else if (request.url === '/api/accounts/deviceauth/token') {
				assert.deepEqual(body, {device_auth_id: 'dev-1', user_code: 'ABCD-EFGH'});
				polls++;
				send(
					polls < 3 ? 403 : 200,
					polls < 3 ? {error: 'pending'} : {authorization_code: 'c', code_verifier: 'v', code_challenge: 'x'},
				);
			} else if (body.grant_type === 'authorization_code') {
				assert.equal(body.redirect_uri, `${issuer.url}/deviceauth/callback`);
				assert.equal(body.code_verifier, 'v');
				send(200, loginTokens);
			}
		};
		const shown: string[] = [];
		const tokens = await deviceLogin({issuer: issuer.url, onCode: (url, code) => shown.push(url, code)});
		assert.equal(tokens.refreshToken, 'rt-login');
		assert.deepEqual(shown, [`${issuer.url}/codex/device`, 'ABCD-EFGH']);
		assert.equal(polls, 3);
	});

	it('says when the issuer has no device login', async () => {
		issuer.other = (_request, _body, response) => {
			response.writeHead(404);
			response.end();
		};
		await assert.rejects(
			deviceLogin({issuer: issuer.url, onCode: () => {}}),
			/does not offer device login\. Use `codexpool login`/,
		);
	});

	it('gives up when the code expires', async () => {
		issuer.other = (request, _body, response) => {
			response.writeHead(request.url?.endsWith('usercode') ? 200 : 403, {'content-type': 'application/json'});
			response.end(JSON.stringify({device_auth_id: 'd', user_code: 'C', interval: '0'}));
		};
		await assert.rejects(
			deviceLogin({issuer: issuer.url, onCode: () => {}, timeoutMs: 300}),
			/The device code expired before the login was completed/,
		);
	});
});
