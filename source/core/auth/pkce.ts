import {createHash, randomBytes} from 'node:crypto';
import {codexClientId} from './oauth-client.ts';

/** A PKCE pair as Codex CLI makes it: 64 random bytes base64url (no padding), S256 challenge. */
export type Pkce = {readonly verifier: string; readonly challenge: string};

export function createPkce(): Pkce {
	const verifier = randomBytes(64).toString('base64url');
	return {verifier, challenge: pkceChallenge(verifier)};
}

/** base64url(SHA-256(verifier)), no padding. */
export function pkceChallenge(verifier: string): string {
	return createHash('sha256').update(verifier).digest('base64url');
}

/** The `state` parameter: 32 random bytes base64url. */
export function createOAuthState(): string {
	return randomBytes(32).toString('base64url');
}

/** The scopes Codex CLI asks for (upstream-protocol.md §2). */
export const loginScopes = 'openid profile email offline_access api.connectors.read api.connectors.invoke';

/** The authorize URL with the query parameters Codex CLI sends (`login/src/server.rs`). */
export function buildAuthorizeUrl(
	issuer: string,
	parameters: {readonly redirectUri: string; readonly challenge: string; readonly state: string},
): string {
	const query = Object.entries({
		response_type: 'code',
		client_id: codexClientId,
		redirect_uri: parameters.redirectUri,
		scope: loginScopes,
		code_challenge: parameters.challenge,
		code_challenge_method: 'S256',
		id_token_add_organizations: 'true',
		codex_cli_simplified_flow: 'true',
		state: parameters.state,
		originator: 'codex_cli_rs',
	})
		// Spaces as %20, as Codex CLI encodes them (URLSearchParams would write `+`).
		.map(([key, value]) => `${key}=${encodeURIComponent(value)}`)
		.join('&');
	return `${issuer}/oauth/authorize?${query}`;
}
