import {request} from 'undici';

/** Codex CLI's OAuth client id (upstream-protocol.md §2): codexpool logs in and refreshes as Codex does. */
export const codexClientId = 'app_EMoamEEZ73f0CkXaXp7hrann';
export const defaultIssuer = 'https://auth.openai.com';
const timeoutMs = 30_000;

/** The OAuth issuer: `$CODEXPOOL_AUTH_ISSUER` (tests, the simulated upstream), else auth.openai.com. */
export function authIssuer(env: NodeJS.ProcessEnv): string {
	const issuer = env.CODEXPOOL_AUTH_ISSUER?.trim() || defaultIssuer;
	return issuer.replace(/\/+$/, '');
}

/** Tokens as the issuer's token endpoint returns them (each may be absent on a refresh). */
export type IssuedTokens = {
	readonly idToken: string | undefined;
	readonly accessToken: string | undefined;
	readonly refreshToken: string | undefined;
};

/** Error codes with which the issuer refuses a refresh token for good (Codex CLI and codex-lb agree). */
const permanentCodes = new Set([
	'refresh_token_reused',
	'refresh_token_expired',
	'refresh_token_invalidated',
	'invalid_grant',
	'token_invalidated',
	'token_expired',
	'app_session_terminated',
]);

/** The issuer refused a token for good: the account needs a fresh login. `code` is the issuer's error code. */
export class TokenRefusedError extends Error {
	override name = 'TokenRefusedError';
	readonly code: string;
	readonly status: number;
	constructor(message: string, code: string, status: number) {
		super(message);
		this.code = code;
		this.status = status;
	}
}

/** The issuer could not be reached or failed (5xx, network, timeout): worth trying again later. */
export class IssuerUnavailableError extends Error {
	override name = 'IssuerUnavailableError';
}

/** POSTs to `{issuer}{path}` and returns the status and the parsed JSON body (undefined when not JSON). */
export async function postToIssuer(
	issuer: string,
	path: string,
	body: Record<string, string>,
	form = false,
): Promise<{status: number; json: Record<string, unknown> | undefined}> {
	let response: Awaited<ReturnType<typeof request>>;
	try {
		response = await request(`${issuer}${path}`, {
			method: 'POST',
			headers: {
				'content-type': form ? 'application/x-www-form-urlencoded' : 'application/json',
				accept: 'application/json',
			},
			body: form ? new URLSearchParams(body).toString() : JSON.stringify(body),
			headersTimeout: timeoutMs,
			bodyTimeout: timeoutMs,
		});
	} catch (error) {
		const code = (error as {code?: string}).code ?? (error instanceof Error ? error.name : 'error');
		throw new IssuerUnavailableError(`cannot reach ${issuer} (${code})`);
	}

	const text = await response.body.text().catch(() => '');
	let json: Record<string, unknown> | undefined;
	try {
		const value: unknown = JSON.parse(text);
		json = typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
	} catch {
		json = undefined;
	}

	return {status: response.statusCode, json};
}

/** The issuer's error code, from `{"error": {"code": ...}}` or OAuth's `{"error": "invalid_grant"}`. */
export function issuerErrorCode(json: Record<string, unknown> | undefined): string | undefined {
	const error = json?.error;
	if (typeof error === 'string') {
		return error;
	}

	if (typeof error === 'object' && error !== null) {
		const code = (error as Record<string, unknown>).code ?? (error as Record<string, unknown>).type;
		return typeof code === 'string' ? code : undefined;
	}

	return typeof json?.code === 'string' ? json.code : undefined;
}

/**
Trades a refresh token for new tokens (`POST {issuer}/oauth/token`, JSON, as Codex CLI does). Throws
TokenRefusedError for a permanent refusal (any 401; a 400 with a known code) and IssuerUnavailableError
for anything worth retrying. Error messages never contain a token.
*/
export async function refreshTokens(issuer: string, refreshToken: string): Promise<IssuedTokens> {
	const {status, json} = await postToIssuer(issuer, '/oauth/token', {
		client_id: codexClientId,
		grant_type: 'refresh_token',
		refresh_token: refreshToken,
	});
	if (status >= 200 && status < 300) {
		const tokens = readIssuedTokens(json);
		if (tokens.accessToken === undefined) {
			throw new IssuerUnavailableError('the issuer answered the refresh without an access token');
		}

		return tokens;
	}

	const code = issuerErrorCode(json);
	if (status === 401 || (status === 400 && code !== undefined && permanentCodes.has(code))) {
		throw new TokenRefusedError(
			`the issuer refused the refresh token (HTTP ${status}, ${code ?? 'no code'})`,
			code ?? `http_${status}`,
			status,
		);
	}

	throw new IssuerUnavailableError(`the issuer answered HTTP ${status}${code ? ` (${code})` : ''}`);
}

/** Reads `{id_token, access_token, refresh_token}` from a token endpoint answer. */
export function readIssuedTokens(json: Record<string, unknown> | undefined): IssuedTokens {
	const pick = (key: string) =>
		typeof json?.[key] === 'string' && json[key] !== '' ? (json[key] as string) : undefined;
	return {idToken: pick('id_token'), accessToken: pick('access_token'), refreshToken: pick('refresh_token')};
}

/** A complete login as the token endpoint returns it for an authorization code. */
export type LoginTokens = {
	readonly idToken: string;
	readonly accessToken: string;
	readonly refreshToken: string;
};

/**
Exchanges an authorization code for tokens (`POST {issuer}/oauth/token`, form-urlencoded, PKCE), as Codex CLI
does at the end of its browser and device logins.
*/
export async function exchangeCode(
	issuer: string,
	code: {readonly code: string; readonly redirectUri: string; readonly codeVerifier: string},
): Promise<LoginTokens> {
	const {status, json} = await postToIssuer(
		issuer,
		'/oauth/token',
		{
			grant_type: 'authorization_code',
			code: code.code,
			redirect_uri: code.redirectUri,
			client_id: codexClientId,
			code_verifier: code.codeVerifier,
		},
		true,
	);
	if (status < 200 || status >= 300) {
		throw new Error(
			`The issuer refused the login code (HTTP ${status}${describeIssuerError(json)}). Try logging in again.`,
		);
	}

	const tokens = readIssuedTokens(json);
	if (tokens.idToken === undefined || tokens.accessToken === undefined || tokens.refreshToken === undefined) {
		throw new Error(
			'The issuer answered the login without an id, access and refresh token. Try logging in again.',
		);
	}

	return {idToken: tokens.idToken, accessToken: tokens.accessToken, refreshToken: tokens.refreshToken};
}

/** Revokes a token (`POST {issuer}/oauth/revoke`); best effort: false when the issuer did not confirm. */
export async function revokeToken(issuer: string, token: string): Promise<boolean> {
	try {
		const {status} = await postToIssuer(
			issuer,
			'/oauth/revoke',
			{token, token_type_hint: 'refresh_token', client_id: codexClientId},
			true,
		);
		return status >= 200 && status < 300;
	} catch {
		return false;
	}
}

/** `, code: description` from an OAuth error body, for messages (issuer text only, never a token). */
export function describeIssuerError(json: Record<string, unknown> | undefined): string {
	const code = issuerErrorCode(json);
	const nested =
		typeof json?.error === 'object' && json.error !== null ? (json.error as Record<string, unknown>) : {};
	const description = json?.error_description ?? nested.message;
	const text = typeof description === 'string' ? `: ${description.slice(0, 200)}` : '';
	return code === undefined ? text : `, ${code}${text}`;
}
