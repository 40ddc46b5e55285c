import {type Clock, MINUTE, systemClock} from '../clock.ts';
import type {Store} from '../store/store.ts';
import type {AccountRecord, Tokens} from '../store/types.ts';
import {jwtExpiry, readLoginClaims} from './jwt.ts';
import {type IssuedTokens, IssuerUnavailableError, refreshTokens, TokenRefusedError} from './oauth-client.ts';
import {withRefreshLock} from './refresh-lock.ts';

/** Refresh when the access token expires within this (Codex CLI's `CHATGPT_ACCESS_TOKEN_REFRESH_WINDOW_MINUTES`). */
export const refreshWindowMs = 5 * MINUTE;
/** When the access token's expiry cannot be read: refresh when the last refresh is older than this. */
export const maxTokenAgeMs = 8 * 24 * 60 * MINUTE;
/** A token with less than this to live is refreshed before it is handed out, not in the background. */
export const blockingWindowMs = 60_000;
const firstRetryMs = 5_000;
const maxRetryMs = 5 * MINUTE;

/** The account's login was refused for good; the message says which command fixes it. */
export class NeedsLoginError extends Error {
	override name = 'NeedsLoginError';
	readonly accountId: string;
	constructor(accountId: string, message: string) {
		super(message);
		this.accountId = accountId;
	}
}

/** A refresh failed for a passing reason (issuer down, network); it is tried again after `retryAt`. */
export class TokenRefreshError extends Error {
	override name = 'TokenRefreshError';
	readonly accountId: string;
	readonly retryAt: number;
	constructor(accountId: string, message: string, retryAt: number) {
		super(message);
		this.accountId = accountId;
		this.retryAt = retryAt;
	}
}

/** What the token manager tells the rest of the core (never a token). */
export type TokenEvent =
	| {readonly type: 'refreshed'; readonly accountId: string; readonly reason: 'proactive' | 'unauthorized'}
	| {
			readonly type: 'needs-login';
			readonly accountId: string;
			readonly code: string;
			readonly message: string;
	  }
	| {
			readonly type: 'refresh-failed';
			readonly accountId: string;
			readonly message: string;
			readonly retryAt: number;
	  };

export type TokenManagerOptions = {
	readonly store: Store;
	/** The OAuth issuer, e.g. `authIssuer(process.env)`. */
	readonly issuer: string;
	readonly clock?: Clock;
	/** Replaces the HTTP call (tests); defaults to `refreshTokens(issuer, token)`. */
	readonly refresh?: (refreshToken: string) => Promise<IssuedTokens>;
	readonly onEvent?: (event: TokenEvent) => void;
};

/**
Hands out valid access tokens for the pooled accounts. It refreshes proactively (5 minutes before the
access token's `exp`) and after a 401, with at most one refresh in flight per account whatever the
concurrency (and, through a lock file in the home, whatever the number of codexpool processes sharing it);
the rotated tokens are saved through the store before anyone gets the new access token, and a refresh token
the issuer refused is never sent again.
*/
export class TokenManager {
	readonly #store: Store;
	readonly #clock: Clock;
	readonly #refresh: (refreshToken: string) => Promise<IssuedTokens>;
	readonly #onEvent: (event: TokenEvent) => void;
	readonly #inFlight = new Map<string, Promise<string>>();
	readonly #failures = new Map<string, {count: number; retryAt: number; message: string}>();
	/** Refresh tokens the issuer refused: never sent again. */
	readonly #refused = new Set<string>();
	/** Tokens received but not yet saved (the store write failed): used instead of the saved ones. */
	readonly #unsaved = new Map<string, Tokens>();

	constructor(options: TokenManagerOptions) {
		this.#store = options.store;
		this.#clock = options.clock ?? systemClock;
		this.#refresh = options.refresh ?? ((token) => refreshTokens(options.issuer, token));
		this.#onEvent = options.onEvent ?? (() => {});
	}

	/**
	A valid access token for the account. Within 5 minutes of its expiry the token is refreshed: in the
	background while it still has more than a minute to live (this request keeps the current one, so a slow
	issuer never holds requests up), else before answering.
	*/
	async getAccessToken(accountId: string): Promise<string> {
		const account = this.#account(accountId);
		const tokens = this.#tokens(account);
		if (!this.needsRefresh(tokens)) {
			return tokens.accessToken;
		}

		const expiry = jwtExpiry(tokens.accessToken);
		if (expiry !== undefined && expiry - this.#clock.now() > blockingWindowMs) {
			// Failures are recorded (events, needs-login mark, backoff); the next call sees them.
			this.#singleFlight(accountId, 'proactive', (current) => this.needsRefresh(current)).catch(() => {});
			return tokens.accessToken;
		}

		try {
			return await this.#singleFlight(accountId, 'proactive', (current) => this.needsRefresh(current));
		} catch (error) {
			// The old token still works for a few minutes: use it while the issuer is unavailable.
			const expiry = jwtExpiry(tokens.accessToken);
			if (error instanceof TokenRefreshError && expiry !== undefined && expiry > this.#clock.now()) {
				return tokens.accessToken;
			}

			throw error;
		}
	}

	/**
	A new access token after the upstream answered 401 to `failedToken`. When the saved token already differs
	(another request refreshed it meanwhile), that one is returned without asking the issuer.
	*/
	async refreshAfter401(accountId: string, failedToken: string): Promise<string> {
		const account = this.#account(accountId);
		const current = this.#tokens(account).accessToken;
		if (current !== failedToken) {
			return current;
		}

		return this.#singleFlight(accountId, 'unauthorized', (current) => current.accessToken === failedToken);
	}

	/** Whether these tokens are due for a proactive refresh. */
	needsRefresh(tokens: Tokens): boolean {
		const now = this.#clock.now();
		const expiry = jwtExpiry(tokens.accessToken);
		if (expiry !== undefined) {
			return expiry - now <= refreshWindowMs;
		}

		return tokens.lastRefresh === undefined || now - tokens.lastRefresh > maxTokenAgeMs;
	}

	/** Whether a refresh of this account is running now. */
	isRefreshing(accountId: string): boolean {
		return this.#inFlight.has(accountId);
	}

	#singleFlight(
		accountId: string,
		reason: 'proactive' | 'unauthorized',
		stillNeeded: (tokens: Tokens) => boolean,
	): Promise<string> {
		const running = this.#inFlight.get(accountId);
		if (running !== undefined) {
			return running;
		}

		const promise = withRefreshLock(this.#store.home, accountId, async () =>
			this.#doRefresh(accountId, reason, stillNeeded),
		).finally(() => {
			this.#inFlight.delete(accountId);
		});
		this.#inFlight.set(accountId, promise);
		return promise;
	}

	async #doRefresh(
		accountId: string,
		reason: 'proactive' | 'unauthorized',
		stillNeeded: (tokens: Tokens) => boolean,
	): Promise<string> {
		const account = this.#account(accountId);
		const old = this.#tokens(account);
		// Another process sharing this home may have refreshed while we waited for the lock: use its tokens.
		if (!stillNeeded(old)) {
			return old.accessToken;
		}

		const failure = this.#failures.get(accountId);
		if (failure !== undefined && failure.retryAt > this.#clock.now()) {
			throw new TokenRefreshError(accountId, failure.message, failure.retryAt);
		}

		if (this.#refused.has(old.refreshToken)) {
			throw this.#markNeedsLogin(account, 'refresh_token_refused', 401);
		}

		let issued: IssuedTokens;
		try {
			issued = await this.#refresh(old.refreshToken);
		} catch (error) {
			if (error instanceof TokenRefusedError) {
				this.#refused.add(old.refreshToken);
				throw this.#markNeedsLogin(account, error.code, error.status);
			}

			throw this.#noteFailure(account, error);
		}

		if (issued.accessToken === undefined) {
			throw this.#noteFailure(
				account,
				new IssuerUnavailableError('the issuer answered without an access token'),
			);
		}

		const tokens: Tokens = {
			idToken: issued.idToken ?? old.idToken,
			accessToken: issued.accessToken,
			refreshToken: issued.refreshToken ?? old.refreshToken,
			lastRefresh: this.#clock.now(),
		};
		this.#unsaved.set(accountId, tokens);
		const claims = issued.idToken === undefined ? undefined : readLoginClaims(issued.idToken);
		try {
			this.#store.updateTokens(accountId, tokens, {email: claims?.email, plan: claims?.plan});
		} catch (error) {
			const why = error instanceof Error ? error.message : String(error);
			throw new TokenRefreshError(
				accountId,
				`Refreshed the token of ${account.name} but could not save it (${why}); it is kept in memory and saved at the next refresh.`,
				this.#clock.now(),
			);
		}

		this.#unsaved.delete(accountId);
		this.#failures.delete(accountId);
		this.#onEvent({type: 'refreshed', accountId, reason});
		return tokens.accessToken;
	}

	#account(accountId: string): AccountRecord {
		const account = this.#store.getAccount(accountId);
		if (account === undefined) {
			throw new Error(`No saved account has the id ${accountId}.`);
		}

		if (account.needsLogin !== undefined) {
			throw new NeedsLoginError(accountId, account.needsLogin.message);
		}

		return account;
	}

	#tokens(account: AccountRecord): Tokens {
		const unsaved = this.#unsaved.get(account.id);
		if (unsaved === undefined) {
			return account.tokens;
		}

		// A newer login (import, login) replaced the tokens meanwhile: those win.
		if ((account.tokens.lastRefresh ?? 0) > (unsaved.lastRefresh ?? 0)) {
			this.#unsaved.delete(account.id);
			return account.tokens;
		}

		try {
			this.#store.updateTokens(account.id, unsaved);
			this.#unsaved.delete(account.id);
		} catch {
			// Still cannot save: keep using the tokens from memory.
		}

		return unsaved;
	}

	#markNeedsLogin(account: AccountRecord, code: string, status: number): NeedsLoginError {
		const message =
			`The login of ${account.name} was refused when its token was refreshed (${describeRefusal(code, status)}). ` +
			`Log in again with \`codexpool login --name ${quoteName(account.name)}\`; the pool goes on with the other accounts.`;
		this.#store.setNeedsLogin(account.id, {code, message, at: this.#clock.now()});
		this.#onEvent({type: 'needs-login', accountId: account.id, code, message});
		return new NeedsLoginError(account.id, message);
	}

	#noteFailure(account: AccountRecord, error: unknown): TokenRefreshError {
		const count = (this.#failures.get(account.id)?.count ?? 0) + 1;
		const delay = Math.min(maxRetryMs, firstRetryMs * 2 ** (count - 1));
		const retryAt = this.#clock.now() + delay;
		const why = error instanceof IssuerUnavailableError ? error.message : 'an unexpected error';
		const message = `Could not refresh the token of ${account.name}: ${why}. Trying again in ${Math.ceil(delay / 1000)} s.`;
		this.#failures.set(account.id, {count, retryAt, message});
		this.#onEvent({type: 'refresh-failed', accountId: account.id, message, retryAt});
		return new TokenRefreshError(account.id, message, retryAt);
	}
}

function describeRefusal(code: string, status: number): string {
	const words: Record<string, string> = {
		refresh_token_reused: 'its refresh token was already used, for example by a Codex CLI sharing this login',
		refresh_token_expired: 'its refresh token has expired',
		refresh_token_invalidated: 'its refresh token was revoked',
		refresh_token_refused: 'its refresh token was refused before',
		invalid_grant: 'the refresh token is no longer valid',
		token_invalidated: 'the token was invalidated',
		token_expired: 'the token has expired',
		app_session_terminated: 'the session was ended',
	};
	return words[code] ?? `HTTP ${status}`;
}

function quoteName(name: string): string {
	return /^[\w@.+-]+$/.test(name) ? name : `'${name.replaceAll("'", "'\\''")}'`;
}
