/** The claim under which ChatGPT tokens carry the account (upstream-protocol.md §2). */
const authClaim = 'https://api.openai.com/auth';
const profileClaim = 'https://api.openai.com/profile';

/** Decodes a JWT's payload without verifying anything; undefined when `token` is not a JWT. */
export function decodeJwtClaims(token: string): Record<string, unknown> | undefined {
	const parts = token.split('.');
	if (parts.length !== 3 || parts[1] === undefined) {
		return undefined;
	}

	try {
		const value: unknown = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
		return isObject(value) ? value : undefined;
	} catch {
		return undefined;
	}
}

/** What codexpool reads from a ChatGPT id token. */
export type LoginClaims = {
	/** `chatgpt_account_id`: the account whose quota the tokens spend. */
	readonly accountId: string | undefined;
	readonly email: string | undefined;
	/** `chatgpt_plan_type`; unknown values pass through. */
	readonly plan: string | undefined;
	readonly userId: string | undefined;
};

/** Reads the account, email and plan from an id token's claims as Codex does (`login/src/token_data.rs`). */
export function readLoginClaims(idToken: string): LoginClaims | undefined {
	const claims = decodeJwtClaims(idToken);
	if (claims === undefined) {
		return undefined;
	}

	const auth = isObject(claims[authClaim]) ? claims[authClaim] : {};
	const profile = isObject(claims[profileClaim]) ? claims[profileClaim] : {};
	return {
		accountId: text(auth.chatgpt_account_id),
		email: text(claims.email) ?? text(profile.email),
		plan: normalizePlan(text(auth.chatgpt_plan_type)),
		userId: text(auth.chatgpt_user_id) ?? text(auth.user_id),
	};
}

/** Expiries already read, by token: the proxy asks for one on every request, and a token's never changes. */
const expiries = new Map<string, number | undefined>();
/** Enough for every account's current and previous token; beyond it the memo starts afresh. */
const MAX_REMEMBERED_EXPIRIES = 256;

/** When a JWT (the access token) expires, in ms since the epoch; undefined when it cannot be read. */
export function jwtExpiry(token: string): number | undefined {
	if (expiries.has(token)) {
		return expiries.get(token);
	}

	const exp = decodeJwtClaims(token)?.exp;
	const expiry = typeof exp === 'number' && Number.isFinite(exp) ? exp * 1000 : undefined;
	if (expiries.size >= MAX_REMEMBERED_EXPIRIES) {
		expiries.clear();
	}

	expiries.set(token, expiry);
	return expiry;
}

function normalizePlan(plan: string | undefined): string | undefined {
	if (plan === 'hc') {
		return 'enterprise';
	}

	return plan === 'education' ? 'edu' : plan;
}

function text(value: unknown): string | undefined {
	return typeof value === 'string' && value !== '' ? value : undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}
