import {createHash, createHmac, randomBytes} from 'node:crypto';

// Deliberately independent of source/core/auth (jwt.ts, pkce.ts): the simulated issuer is what the client
// code is tested against, so sharing its helpers would let a bug in them pass on both sides.

/** The claim under which ChatGPT tokens carry the account (upstream-protocol.md §2). */
export const AUTH_CLAIM = 'https://api.openai.com/auth';

/** The identity a simulated token speaks for. */
export type TokenIdentity = {
	readonly accountId: string;
	readonly email: string;
	readonly plan: string;
	readonly userId: string;
};

const base64url = (value: string | Buffer) => Buffer.from(value).toString('base64url');

/** Signs `payload` as an HS256 JWT. Real clients only decode the payload; the signature is for show. */
export function signJwt(payload: Record<string, unknown>, secret: string): string {
	const head = base64url(JSON.stringify({alg: 'HS256', typ: 'JWT'}));
	const body = base64url(JSON.stringify(payload));
	const signature = createHmac('sha256', secret).update(`${head}.${body}`).digest('base64url');
	return `${head}.${body}.${signature}`;
}

/** Decodes a JWT's payload without checking anything; undefined when it is not a JWT. */
export function decodeJwtPayload(token: string): Record<string, unknown> | undefined {
	const part = token.split('.')[1];
	if (part === undefined) {
		return undefined;
	}

	try {
		const value: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
		return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
	} catch {
		return undefined;
	}
}

/** The claims of an id or access token, as Codex reads them. */
export function tokenClaims(identity: TokenIdentity, nowMs: number, lifetimeMs: number) {
	const iat = Math.floor(nowMs / 1000);
	return {
		email: identity.email,
		[AUTH_CLAIM]: {
			chatgpt_account_id: identity.accountId,
			chatgpt_plan_type: identity.plan,
			chatgpt_user_id: identity.userId,
			user_id: identity.userId,
		},
		iat,
		exp: Math.floor((nowMs + lifetimeMs) / 1000),
		// Unique per token, so two tokens minted in the same second still differ.
		jti: randomBytes(9).toString('base64url'),
	};
}

/** An opaque token with a recognisable prefix (`rt_` for refresh tokens, ...). */
export function opaqueToken(prefix: string): string {
	return `${prefix}${randomBytes(24).toString('base64url')}`;
}

/** PKCE S256: base64url(SHA-256(verifier)). */
export function pkceChallenge(verifier: string): string {
	return createHash('sha256').update(verifier).digest('base64url');
}
