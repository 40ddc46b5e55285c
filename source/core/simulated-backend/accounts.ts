import {createHash} from 'node:crypto';
import type {Clock} from '../clock.ts';
import {opaqueToken, signJwt, type TokenIdentity, tokenClaims} from './jwt.ts';
import {type AccountWindows, createAccountWindows} from './quota.ts';

/** What a test gives to add an account to the simulated upstream. */
export type SimulatedAccountInput = {
	/** Short name; replies say `Hello from <name>.` */
	readonly name: string;
	/** `chatgpt_account_id`; default: a stable UUID-like id derived from the name. */
	readonly accountId?: string;
	/** Default `<name>@example.test`. */
	readonly email?: string;
	/** `chatgpt_plan_type`; default `plus`. */
	readonly plan?: string;
	/** Quota units the five-hour window holds (default 1,000,000). */
	readonly fiveHourLimit?: number;
	/** Quota units the weekly window holds (default 5 × fiveHourLimit). */
	readonly weeklyLimit?: number;
	/** Only a weekly window, reported in the primary slot (as free plans do). */
	readonly weeklyOnly?: boolean;
	/** The short window's length in minutes (default 300, the 5-hour window): a window of another length. */
	readonly shortWindowMinutes?: number;
	/** Lifetime of this account's access tokens (default: the server's `accessTokenLifetimeMs`). */
	readonly accessTokenLifetimeMs?: number;
};

/** A login's three tokens. */
export type TokenSet = {
	readonly idToken: string;
	readonly accessToken: string;
	readonly refreshToken: string;
};

/** A Codex `auth.json` (upstream-protocol.md §1). */
export type CodexAuthJson = {
	auth_mode: 'chatgpt';
	OPENAI_API_KEY: string | null;
	tokens: {id_token: string; access_token: string; refresh_token: string; account_id: string};
	last_refresh: string;
};

export type SimulatedAccount = {
	readonly name: string;
	readonly identity: TokenIdentity;
	readonly windows: AccountWindows;
	readonly accessTokenLifetimeMs: number;
	/** The most recently issued tokens (what a fresh `auth.json` holds). */
	tokens: TokenSet;
};

type RefreshRecord = {
	readonly account: SimulatedAccount;
	uses: number;
	/** Set once the token was exchanged (rotated) or revoked. */
	spentBy: 'rotation' | 'revocation' | undefined;
};

type AccessRecord = {readonly account: SimulatedAccount; expiresAt: number; revoked: boolean};

/** Why an access token was refused. */
export type AccessCheck =
	| {readonly ok: true; readonly account: SimulatedAccount}
	| {readonly ok: false; readonly reason: 'missing' | 'unknown' | 'expired' | 'revoked'};

/** Accounts and every token the simulated issuer handed out. */
export class AccountRegistry {
	readonly byName = new Map<string, SimulatedAccount>();
	readonly byAccountId = new Map<string, SimulatedAccount>();
	readonly refreshTokens = new Map<string, RefreshRecord>();
	/** Uses of refresh tokens this issuer never issued. */
	unknownRefreshUses = 0;
	private readonly accessTokens = new Map<string, AccessRecord>();
	private readonly idTokens = new Map<string, SimulatedAccount>();
	private readonly clock: Clock;
	private readonly secret: string;
	private readonly defaultLifetimeMs: number;

	constructor(clock: Clock, secret: string, defaultLifetimeMs: number) {
		this.clock = clock;
		this.secret = secret;
		this.defaultLifetimeMs = defaultLifetimeMs;
	}

	add(input: SimulatedAccountInput): SimulatedAccount {
		if (this.byName.has(input.name)) {
			throw new Error(`The simulated upstream already has an account named "${input.name}".`);
		}

		const fiveHourLimit = input.fiveHourLimit ?? 1_000_000;
		const identity: TokenIdentity = {
			accountId: input.accountId ?? derivedId(input.name),
			email: input.email ?? `${input.name}@example.test`,
			plan: input.plan ?? 'plus',
			userId: `user-${derivedId(`user:${input.name}`).slice(0, 20)}`,
		};
		const account: SimulatedAccount = {
			name: input.name,
			identity,
			windows: createAccountWindows({
				fiveHourLimit,
				weeklyLimit: input.weeklyLimit ?? fiveHourLimit * 5,
				weeklyOnly: input.weeklyOnly ?? false,
				fiveHourMinutes: input.shortWindowMinutes,
			}),
			accessTokenLifetimeMs: input.accessTokenLifetimeMs ?? this.defaultLifetimeMs,
			tokens: {idToken: '', accessToken: '', refreshToken: ''},
		};
		this.byName.set(account.name, account);
		this.byAccountId.set(identity.accountId, account);
		this.issue(account);
		return account;
	}

	/** Issues a fresh token set (a new login, or the result of a refresh) and makes it the current one. */
	issue(account: SimulatedAccount, lifetimeMs?: number): TokenSet {
		const now = this.clock.now();
		const lifetime = lifetimeMs ?? account.accessTokenLifetimeMs;
		const accessToken = signJwt(tokenClaims(account.identity, now, lifetime), this.secret);
		const idToken = signJwt(tokenClaims(account.identity, now, lifetime), this.secret);
		const refreshToken = opaqueToken('rt_sim_');
		this.accessTokens.set(accessToken, {account, expiresAt: now + lifetime, revoked: false});
		this.idTokens.set(idToken, account);
		this.refreshTokens.set(refreshToken, {account, uses: 0, spentBy: undefined});
		account.tokens = {idToken, accessToken, refreshToken};
		return account.tokens;
	}

	checkAccess(authorization: string | undefined): AccessCheck {
		const token = authorization?.match(/^Bearer\s+(.+)$/i)?.[1]?.trim();
		if (!token) {
			return {ok: false, reason: 'missing'};
		}

		const record = this.accessTokens.get(token);
		if (!record) {
			return {ok: false, reason: 'unknown'};
		}

		if (record.revoked) {
			return {ok: false, reason: 'revoked'};
		}

		return this.clock.now() >= record.expiresAt
			? {ok: false, reason: 'expired'}
			: {ok: true, account: record.account};
	}

	accountOfIdToken(idToken: string): SimulatedAccount | undefined {
		return this.idTokens.get(idToken);
	}

	/** Makes every access token issued so far for the account expired (tests of refresh on 401). */
	expireAccessTokens(account: SimulatedAccount): void {
		const now = this.clock.now();
		for (const record of this.accessTokens.values()) {
			if (record.account === account) {
				record.expiresAt = Math.min(record.expiresAt, now);
			}
		}
	}

	/** Revokes a refresh or access token; true when it was known. */
	revoke(token: string): boolean {
		const refresh = this.refreshTokens.get(token);
		if (refresh) {
			refresh.spentBy ??= 'revocation';
			return true;
		}

		const access = this.accessTokens.get(token);
		if (access) {
			access.revoked = true;
			return true;
		}

		return false;
	}

	authJson(account: SimulatedAccount): CodexAuthJson {
		return {
			auth_mode: 'chatgpt',
			OPENAI_API_KEY: null,
			tokens: {
				id_token: account.tokens.idToken,
				access_token: account.tokens.accessToken,
				refresh_token: account.tokens.refreshToken,
				account_id: account.identity.accountId,
			},
			last_refresh: new Date(this.clock.now()).toISOString(),
		};
	}
}

/** A stable UUID-shaped id for a name, so tests can predict `chatgpt_account_id`. */
function derivedId(name: string): string {
	const hex = createHash('sha256').update(`codexpool-sim:${name}`).digest('hex');
	return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
