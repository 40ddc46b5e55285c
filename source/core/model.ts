/**
The pool's vocabulary: the words every part of codexpool uses for accounts, marks, plans, sessions,
requests and the scheduler. Domain modules (pool, strategies, kicks, scheduler, sessions, proxy, store) and
the UI contract (contract.ts) import these; nothing here imports anything, so no part of the house has to
import the UI contract to speak of an account or a kick.
*/

/** An account's id in the store (the ChatGPT account id, or a generated one). */
export type AccountId = string;

/** Plans as the id token's `chatgpt_plan_type` claim names them; unknown values pass through. */
export type PlanType =
	| 'free'
	| 'go'
	| 'plus'
	| 'pro'
	| 'team'
	| 'business'
	| 'enterprise'
	| 'edu'
	| (string & {});

/** The user's marks on an account (kept in the store, applied by the selection layer). */
export type Marks = {
	readonly pinned: boolean;
	readonly drained: boolean;
	readonly evicted: boolean;
};

export const noMarks: Marks = {pinned: false, drained: false, evicted: false};

/**
The user's caps on an account: the used percent (1..100) of a window at which the pool stops sending it work,
as if the window were exhausted, until the window resets. A window without a cap is used to 100%.
*/
export type AccountCaps = {
	readonly fiveHour?: number | undefined;
	readonly weekly?: number | undefined;
};

/** A strategy's options as the user set them (saved in the store, passed to every pick). */
export type StrategyOptions = {
	/** `sequential`: account ids (or names resolved to ids) in the user's order. */
	readonly order?: readonly string[];
	/** `sequential`: move on when the 5-hour window reaches this used percent (default 95). */
	readonly threshold?: number;
	/**
	`greedy-duration`: the mean session size in weekly-quota units (default 0.02, the model's middle
	granularity). The strategy never sees a session's own size, only this mean.
	*/
	readonly meanSessionSize?: number;
};

/** "HH:MM" local times; no kicks between start and end (it may span midnight). */
export type QuietHours = {readonly start: string; readonly end: string};

/**
A change to the scheduler's settings as the user states it: only the fields given change. `accounts` may name
accounts by name, email, id or unique prefix (resolved to ids); `quietHours: null` clears the quiet hours.
*/
export type SchedulerChange = {
	readonly enabled?: boolean;
	readonly dryRun?: boolean;
	readonly policy?: string;
	readonly accounts?: readonly string[];
	readonly quietHours?: QuietHours | null;
};

/** A kick a policy plans: due when `at <= now`, otherwise a forecast re-decided at its time. */
export type PlannedKick = {
	readonly accountId: AccountId;
	readonly at: number;
	readonly reason: string;
};

/** The scheduler's settings and its plan, as it reports them. */
export type SchedulerPlan = {
	readonly enabled: boolean;
	readonly dryRun: boolean;
	readonly policy: string;
	/** The accounts it may kick (ids); empty means all. Absent from a daemon older than this field. */
	readonly accounts?: readonly AccountId[];
	readonly quietHours: QuietHours | undefined;
	readonly nextKicks: readonly PlannedKick[];
	/**
	Accounts the scheduler leaves alone for a reason of their own, said in the plan: no 5-hour window (a kick
	cannot stagger what does not exist), or a window at the user's cap. Absent from older daemons.
	*/
	readonly notKicked?: readonly {readonly accountId: string; readonly reason: string}[];
};

/** A kick the scheduler sent (or, in a dry run, would have sent). */
export type KickReport = {
	readonly at: number;
	readonly accountId: AccountId;
	readonly dryRun: boolean;
	readonly ok: boolean;
	readonly detail: string;
};

/** A session moved to another account (its items the new account cannot read were removed). */
export type SessionMove = {
	readonly at: number;
	readonly sessionId: string;
	readonly from: AccountId;
	readonly to: AccountId;
	readonly reason: string;
};

/** One session as the registry keeps it. */
export type SessionSnapshot = {
	readonly id: string;
	/** The client as its User-Agent / originator names it (e.g. `codex_exec`, `openai-node`). */
	readonly client: string;
	readonly accountId: AccountId;
	readonly turns: number;
	readonly inputTokens: number;
	readonly cachedTokens: number;
	readonly outputTokens: number;
	readonly moves: number;
	readonly lastActivityAt: number;
	/** Whether a request of this session is in flight. */
	readonly active: boolean;
	/** How the client reaches the pool: HTTP requests, or one WebSocket for the session. */
	readonly transport: 'http' | 'websocket';
};

/** One request the proxy served (or refused), for the request log. */
export type RequestLogEntry = {
	readonly id: string;
	readonly at: number;
	readonly sessionId: string | undefined;
	readonly accountId: AccountId | undefined;
	readonly path: string;
	readonly model: string | undefined;
	readonly status: number;
	/** Time to first byte sent to the client, in ms. */
	readonly ttfbMs: number | undefined;
	readonly durationMs: number | undefined;
	readonly inputTokens: number;
	readonly outputTokens: number;
	/** Of `inputTokens`, those served from the prompt cache (when the upstream said). */
	readonly cachedInputTokens?: number | undefined;
	/** Of `outputTokens`, the reasoning tokens (when the upstream said). */
	readonly reasoningOutputTokens?: number | undefined;
	/** Accounts tried before the one that answered (failover). */
	readonly failedOver: readonly string[];
	/** Set when the request ended in an error: what happened, in words. */
	readonly error?: string | undefined;
	/** `websocket` for a `response.create` frame on a client WebSocket; HTTP otherwise. */
	readonly transport?: 'http' | 'websocket' | undefined;
};

export type NoticeLevel = 'info' | 'warn' | 'error';

export type Notice = {
	readonly id: string;
	readonly at: number;
	readonly level: NoticeLevel;
	readonly message: string;
};
