import type {CodexAuthJson, SimulatedAccountInput, TokenSet} from './accounts.ts';
import type {LoggedRequest} from './http.ts';
import type {WindowReport} from './quota.ts';
import type {MutableSettings} from './state.ts';
import type {SimulatedWebSocketsApi} from './ws-hub.ts';

// The simulated backend's public shape, apart from server.ts so the control API can name it without an
// import cycle (control.ts is mounted by server.ts).

/** A public view of one simulated account. */
export type SimulatedAccountView = {
	readonly name: string;
	readonly accountId: string;
	readonly email: string;
	readonly plan: string;
	/** The tokens most recently issued for it (what a fresh auth.json holds). */
	readonly tokens: TokenSet;
};

/** Both windows as the backend would report them now; `fiveHour` is undefined for weekly-only accounts. */
export type SimulatedQuota = {
	readonly fiveHour: WindowReport | undefined;
	readonly weekly: WindowReport;
};

/** The accounts API of a running simulated upstream. Names are the names given to `add`. */
export type SimulatedAccountsApi = {
	add: (input: SimulatedAccountInput) => SimulatedAccountView;
	get: (name: string) => SimulatedAccountView;
	list: () => SimulatedAccountView[];
	/** A Codex-style auth.json with the account's current tokens. */
	authJson: (name: string) => CodexAuthJson;
	/**
	A new, independent login (fresh id/access/refresh tokens, now the account's current ones), as a second
	`codex login` would give. `accessTokenLifetimeMs` applies to this login's access token only (refreshes get
	the account's lifetime), e.g. to make a client refresh proactively once.
	*/
	login: (name: string, options?: {accessTokenLifetimeMs?: number}) => TokenSet;
	quota: (name: string) => SimulatedQuota;
	/** Sets used percents directly; above 0 starts an idle window (its reset is now + its length). */
	setUsedPercent: (name: string, percents: {fiveHour?: number; weekly?: number}) => void;
	/**
	Drops the account's five-hour window (usage headers, `codex.rate_limits` and `/wham/usage` report the weekly
	one alone, in the primary slot) or brings it back idle, as the backend did from July to August 2026.
	*/
	setFiveHourWindow: (name: string, present: boolean) => void;
	/** Uses up the five-hour window (or the weekly one), so the next request gets 429. */
	exhaust: (name: string, window?: 'five-hour' | 'weekly') => void;
	/** Every access token issued so far for the account is expired from now on. */
	expireAccessTokens: (name: string) => void;
	/** Revokes a token (as `/oauth/revoke` would). */
	revoke: (token: string) => void;
	/** The account the next browser or device login signs in as (default: the first account added). */
	setLoginAccount: (name: string) => void;
};

/** How often refresh tokens were presented to `/oauth/token`. */
export type RefreshTokenStats = {
	/** Uses per refresh token issued (0 for tokens never presented). */
	readonly uses: ReadonlyMap<string, number>;
	/** Tokens presented more than once: should stay empty. */
	readonly reused: readonly string[];
	/** Presentations of tokens this issuer never issued. */
	readonly unknown: number;
};

export type SimulatedUpstream = {
	/** `http://127.0.0.1:PORT`; the issuer lives here too (`/oauth/token`, ...). */
	readonly url: string;
	/** `url + '/backend-api'` (what `CODEXPOOL_UPSTREAM` takes). */
	readonly backendUrl: string;
	/** Same as `url` (what `CODEXPOOL_AUTH_ISSUER` takes). */
	readonly issuerUrl: string;
	/** `url + '/oauth/token'` (what `CODEX_REFRESH_TOKEN_URL_OVERRIDE` takes). */
	readonly tokenUrl: string;
	readonly accounts: SimulatedAccountsApi;
	/** The Responses WebSocket mode: how upgrades are answered, injected misbehaviour, every connection's frames. */
	readonly websockets: SimulatedWebSocketsApi;
	/** Requests received, oldest first (bounded by `logLimit`). */
	readonly log: readonly LoggedRequest[];
	/** Empties `log`. */
	clearLog: () => void;
	refreshTokens: () => RefreshTokenStats;
	/** Name of the account that issued an `encrypted_content` value; undefined when none of ours did. */
	issuerOf: (encryptedContent: string) => string | undefined;
	/** Behaviour knobs that may change while running (delta count, chunks, strict, ...). */
	readonly settings: MutableSettings;
	close: () => Promise<void>;
};
