import {randomBytes} from 'node:crypto';
import type {SimulatedAccount, TokenSet} from './accounts.ts';
import {interceptBeforeAnswer, interceptedAs} from './apply-intercept.ts';
import {type Exchange, HttpError, parseFields, readBody, sendJson} from './http.ts';
import {opaqueToken, pkceChallenge} from './jwt.ts';
import type {UpstreamState} from './state.ts';

const TOKEN_EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';

type PendingCode = {account: SimulatedAccount; challenge: string; redirectUri: string; used: boolean};
type DeviceLogin = {userCode: string; account: SimulatedAccount; polls: number};

/** The issuer's own state: who logs in at `/oauth/authorize`, codes, device logins. */
export type IssuerState = {
	/** Name of the account the next browser or device login signs in as (default: the first account). */
	loginAccount: string | undefined;
	readonly codes: Map<string, PendingCode>;
	readonly devices: Map<string, DeviceLogin>;
};

export function createIssuerState(): IssuerState {
	return {loginAccount: undefined, codes: new Map(), devices: new Map()};
}

const oauthError = (status: number, error: string, description: string) =>
	new HttpError(status, {error, error_description: description});

/** The refusal for a spent refresh token, exactly as the real issuer words it. */
const refreshRefusal = (code: string, message: string) =>
	new HttpError(401, {error: {code, message, type: 'invalid_request_error', param: null}});

function loginAccount(state: UpstreamState, issuer: IssuerState): SimulatedAccount {
	const account = issuer.loginAccount
		? state.registry.byName.get(issuer.loginAccount)
		: state.registry.byName.values().next().value;
	if (!account) {
		throw oauthError(400, 'access_denied', 'The simulated issuer has no account to sign in as.');
	}

	return account;
}

function tokenResponse(tokens: TokenSet, account: SimulatedAccount) {
	return {
		id_token: tokens.idToken,
		access_token: tokens.accessToken,
		refresh_token: tokens.refreshToken,
		token_type: 'Bearer',
		expires_in: Math.floor(account.accessTokenLifetimeMs / 1000),
		scope: 'openid profile email offline_access',
	};
}

/** `GET /oauth/authorize`: signs in at once and redirects to `redirect_uri` with `code` and `state`. */
export function handleAuthorize(state: UpstreamState, issuer: IssuerState, exchange: Exchange): void {
	const query = exchange.url.searchParams;
	const redirectUri = query.get('redirect_uri');
	const challenge = query.get('code_challenge');
	if (query.get('client_id') !== state.clientId || !redirectUri || query.get('response_type') !== 'code') {
		throw oauthError(400, 'invalid_request', 'client_id, redirect_uri and response_type=code are required.');
	}

	if (!challenge || query.get('code_challenge_method') !== 'S256') {
		throw oauthError(400, 'invalid_request', 'PKCE with code_challenge_method=S256 is required.');
	}

	const code = opaqueToken('ac_sim_');
	issuer.codes.set(code, {account: loginAccount(state, issuer), challenge, redirectUri, used: false});
	const target = new URL(redirectUri);
	target.searchParams.set('code', code);
	const stateParam = query.get('state');
	if (stateParam !== null) {
		target.searchParams.set('state', stateParam);
	}

	exchange.entry.status = 302;
	exchange.res.writeHead(302, {location: target.toString(), 'content-length': 0});
	exchange.res.end();
}

/** `POST /oauth/token`: refresh (JSON, rotating), authorization code (form, PKCE), token exchange (API key). */
export async function handleToken(
	state: UpstreamState,
	issuer: IssuerState,
	exchange: Exchange,
): Promise<void> {
	const fields = parseFields(exchange, await readBody(exchange));
	if (state.logBodies) {
		exchange.entry.body = {grant_type: fields.grant_type, client_id: fields.client_id};
	}

	if (fields.client_id !== state.clientId) {
		throw oauthError(401, 'invalid_client', `Unknown client_id "${String(fields.client_id)}".`);
	}

	switch (fields.grant_type) {
		case 'refresh_token': {
			const tokens = await refresh(state, exchange, String(fields.refresh_token ?? ''));
			if (tokens) {
				sendJson(exchange, 200, tokens);
			}

			return;
		}

		case 'authorization_code': {
			const pending = issuer.codes.get(String(fields.code ?? ''));
			if (!pending || pending.used) {
				throw oauthError(400, 'invalid_grant', 'The authorization code is unknown or was already used.');
			}

			if (fields.redirect_uri !== pending.redirectUri) {
				throw oauthError(
					400,
					'invalid_grant',
					'redirect_uri does not match the one of the authorization request.',
				);
			}

			if (
				typeof fields.code_verifier !== 'string' ||
				pkceChallenge(fields.code_verifier) !== pending.challenge
			) {
				throw oauthError(
					400,
					'invalid_grant',
					'PKCE verification failed: the code_verifier does not match the code_challenge.',
				);
			}

			pending.used = true;
			exchange.entry.account = pending.account.name;
			sendJson(exchange, 200, tokenResponse(state.registry.issue(pending.account), pending.account));
			return;
		}

		case TOKEN_EXCHANGE: {
			const account = state.registry.accountOfIdToken(String(fields.subject_token ?? ''));
			if (!account || fields.requested_token !== 'openai-api-key') {
				throw oauthError(
					400,
					'invalid_grant',
					'subject_token must be an id token of this issuer, requested_token openai-api-key.',
				);
			}

			exchange.entry.account = account.name;
			sendJson(exchange, 200, {
				access_token: opaqueToken('sk-sim-'),
				token_type: 'Bearer',
				issued_token_type: 'openai-api-key',
			});
			return;
		}

		default: {
			throw oauthError(
				400,
				'unsupported_grant_type',
				`Unsupported grant_type "${String(fields.grant_type)}".`,
			);
		}
	}
}

async function refresh(state: UpstreamState, exchange: Exchange, token: string) {
	const record = state.registry.refreshTokens.get(token);
	if (!record) {
		state.registry.unknownRefreshUses++;
		throw refreshRefusal('invalid_grant', 'The refresh token is unknown. Please try signing in again.');
	}

	const {account} = record;
	exchange.entry.account = account.name;
	// An intercepted refresh never reached the token: it stays unspent and the attempt is not counted as a use,
	// so a client may retry it.
	const interception = state.intercept?.(interceptedAs(state, account, 'token'));
	if (interception && (await interceptBeforeAnswer(exchange, interception)) === 'answered') {
		return undefined;
	}

	record.uses++;
	if (record.spentBy === 'revocation') {
		throw refreshRefusal(
			'refresh_token_invalidated',
			'Your refresh token has been invalidated. Please try signing in again.',
		);
	}

	if (record.spentBy === 'rotation') {
		throw refreshRefusal(
			'refresh_token_reused',
			'Your refresh token has already been used to generate a new access token. Please try signing in again.',
		);
	}

	record.spentBy = 'rotation';
	return tokenResponse(state.registry.issue(record.account), record.account);
}

/** `POST /oauth/revoke` `{token}`: the token stops working. */
export async function handleRevoke(state: UpstreamState, exchange: Exchange): Promise<void> {
	const fields = parseFields(exchange, await readBody(exchange));
	state.registry.revoke(String(fields.token ?? ''));
	sendJson(exchange, 200, {});
}

/** `POST /api/accounts/deviceauth/usercode` `{client_id}`. */
export async function handleDeviceCode(
	state: UpstreamState,
	issuer: IssuerState,
	exchange: Exchange,
): Promise<void> {
	const fields = parseFields(exchange, await readBody(exchange));
	if (fields.client_id !== state.clientId) {
		throw oauthError(400, 'invalid_client', 'Unknown client_id.');
	}

	const deviceAuthId = opaqueToken('dev_sim_');
	const userCode = `${randomCode()}-${randomCode()}`;
	issuer.devices.set(deviceAuthId, {userCode, account: loginAccount(state, issuer), polls: 0});
	sendJson(exchange, 200, {
		device_auth_id: deviceAuthId,
		user_code: userCode,
		usercode: userCode,
		interval: String(state.settings.deviceIntervalSeconds),
		expires_at: new Date(state.clock.now() + 15 * 60_000).toISOString(),
	});
}

/** `POST /api/accounts/deviceauth/token`: 403 while pending, then the code and its PKCE pair. */
export async function handleDeviceToken(
	state: UpstreamState,
	issuer: IssuerState,
	exchange: Exchange,
): Promise<void> {
	const fields = parseFields(exchange, await readBody(exchange));
	const login = issuer.devices.get(String(fields.device_auth_id ?? ''));
	if (!login || login.userCode !== fields.user_code) {
		throw new HttpError(404, {error: {code: 'deviceauth_not_found', message: 'Unknown device login.'}});
	}

	if (login.polls++ < state.settings.devicePendingPolls) {
		throw new HttpError(403, {
			error: {code: 'deviceauth_authorization_pending', message: 'The user has not signed in yet.'},
		});
	}

	issuer.devices.delete(String(fields.device_auth_id));
	const verifier = randomBytes(64).toString('base64url');
	const challenge = pkceChallenge(verifier);
	const code = opaqueToken('ac_sim_');
	issuer.codes.set(code, {
		account: login.account,
		challenge,
		redirectUri: `${state.url}/deviceauth/callback`,
		used: false,
	});
	exchange.entry.account = login.account.name;
	sendJson(exchange, 200, {authorization_code: code, code_challenge: challenge, code_verifier: verifier});
}

function randomCode(): string {
	const letters = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
	return Array.from(randomBytes(4), (byte) => letters[byte % letters.length]).join('');
}
