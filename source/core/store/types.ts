import type {AccountCaps, Marks, PlanType, StrategyOptions} from '../model.ts';

/** The tokens of one ChatGPT login, as Codex keeps them in auth.json. Never logged, never shown. */
export type Tokens = {
	readonly idToken: string;
	readonly accessToken: string;
	readonly refreshToken: string;
	/** When the tokens were last refreshed (ms since the epoch). */
	readonly lastRefresh: number | undefined;
};

/** Why an account needs a fresh login, when it does. */
export type LoginProblem = {readonly code: string; readonly message: string; readonly at: number};

/** One saved account. `id` is the `chatgpt_account_id`: two logins of one ChatGPT account are one account. */
export type AccountRecord = {
	readonly id: string;
	/** The user's name for it (email unless given). Unique in the store. */
	readonly name: string;
	readonly email: string | undefined;
	readonly plan: PlanType;
	readonly tokens: Tokens;
	readonly marks: Marks;
	/** The user's caps on its windows, kept with its marks; absent: every window is used to 100%. */
	readonly caps?: AccountCaps | undefined;
	readonly needsLogin: LoginProblem | undefined;
	readonly addedAt: number;
};

/** A pool key for downstream clients: only its hash is stored. */
export type PoolKeyRecord = {
	readonly id: string;
	readonly name: string;
	/** The first characters of the key, to recognise it (`cxp_ab12…`). */
	readonly prefix: string;
	/** sha256 of the key, hex. */
	readonly hash: string;
	readonly createdAt: number;
	readonly lastUsedAt: number | undefined;
};

export type SchedulerSettings = {
	readonly enabled: boolean;
	readonly dryRun: boolean;
	/** `rotate-restart` or `stagger` (`ours` is read as `rotate-restart`). */
	readonly policy: string;
	/** Account ids the scheduler may kick; empty means all. */
	readonly accounts: readonly string[];
	/** "HH:MM" local time; no kicks between start and end. */
	readonly quietHours: {readonly start: string; readonly end: string} | undefined;
};

export type Settings = {
	readonly strategy: string;
	readonly strategyOptions: StrategyOptions;
	readonly requireKey: boolean;
	readonly scheduler: SchedulerSettings;
	/** Models published on /v1/models and their aliases; empty means all listed upstream models. */
	readonly models: {readonly publish: readonly string[]; readonly aliases: Readonly<Record<string, string>>};
	/** Largest request body accepted, in bytes. */
	readonly maxBodyBytes: number;
	/** Client WebSockets open at once; beyond, a handshake is refused with 503. */
	readonly maxWebSockets: number;
	/**
	Web page origins (`https://app.example`) that may use the pool from a browser. Empty: every request that
	carries an Origin header is refused, which keeps web pages out (programs on this machine send none).
	*/
	readonly allowedOrigins: readonly string[];
	/** HTTP clients' responses requests go upstream over a per-session WebSocket (default off: over HTTP POST). */
	readonly upstreamWebSocket: boolean;
};
