import type {SchedulerChange} from './control/scheduler-settings.ts';
import type {Marks, PlanType, StrategyOptions} from './strategies/types.ts';

/**
The contract between the core and everything that shows it (the TUI, `status --json`, the admin API's
`GET /api/state`). The core replaces the snapshot object whenever something changes (published at most
about every 100 ms); views never mutate it.
*/

/** One quota window as shown: used percent and reset time, or idle. */
export type WindowSnapshot = {
	readonly usedPercent: number;
	/** ms since the epoch; undefined while the window is idle. */
	readonly resetAt: number | undefined;
	readonly lengthMinutes: number;
	/**
	At the recent burn rate, when this window would run out (ms since the epoch), if before it resets;
	undefined when it will last until its reset (or nothing is burning).
	*/
	readonly exhaustsAt: number | undefined;
};

/** The state badge of an account, in the order the TUI explains them. */
export type AccountState =
	| {readonly kind: 'active'}
	| {readonly kind: 'pinned'}
	| {readonly kind: 'drained'}
	| {readonly kind: 'evicted'}
	| {readonly kind: 'cooling'; readonly until: number; readonly reason: string}
	| {readonly kind: 'exhausted'; readonly until: number | undefined}
	| {readonly kind: 'needs-login'; readonly message: string};

export type AccountSnapshot = {
	readonly id: string;
	readonly name: string;
	readonly email: string | undefined;
	readonly plan: PlanType;
	readonly marks: Marks;
	readonly state: AccountState;
	readonly fiveHour: WindowSnapshot | undefined;
	readonly weekly: WindowSnapshot | undefined;
	readonly runningSessions: number;
	readonly lastPickedAt: number | undefined;
	/** When usage was last observed (header, event or poll). */
	readonly usageObservedAt: number | undefined;
};

export type SessionSnapshot = {
	readonly id: string;
	/** The client as its User-Agent / originator names it (e.g. `codex_exec`, `openai-node`). */
	readonly client: string;
	readonly accountId: string;
	readonly turns: number;
	readonly inputTokens: number;
	readonly cachedTokens: number;
	readonly outputTokens: number;
	readonly moves: number;
	readonly lastActivityAt: number;
	/** Whether a request of this session is in flight. */
	readonly active: boolean;
};

export type RequestLogEntry = {
	readonly id: string;
	readonly at: number;
	readonly sessionId: string | undefined;
	readonly accountId: string | undefined;
	readonly path: string;
	readonly model: string | undefined;
	readonly status: number;
	/** Time to first byte sent to the client, in ms. */
	readonly ttfbMs: number | undefined;
	readonly durationMs: number | undefined;
	readonly inputTokens: number;
	readonly outputTokens: number;
	/** Accounts tried before the one that answered (failover). */
	readonly failedOver: readonly string[];
	/** Set when the request ended in an error: what happened, in words. */
	readonly error?: string | undefined;
};

export type NoticeLevel = 'info' | 'warn' | 'error';

export type Notice = {
	readonly id: string;
	readonly at: number;
	readonly level: NoticeLevel;
	readonly message: string;
};

export type PlannedKick = {
	readonly accountId: string;
	readonly at: number;
	readonly reason: string;
};

export type SchedulerSnapshot = {
	readonly enabled: boolean;
	readonly dryRun: boolean;
	readonly policy: string;
	readonly quietHours: {readonly start: string; readonly end: string} | undefined;
	readonly nextKicks: readonly PlannedKick[];
};

export type Totals = {
	readonly requests: number;
	readonly inputTokens: number;
	readonly outputTokens: number;
	readonly sessions: number;
	readonly moves: number;
	readonly failovers: number;
};

export type CoreSnapshot = {
	/** `embedded`: this process runs the proxy; `attached`: it shows a daemon; `demo`: simulated upstream. */
	readonly mode: 'embedded' | 'attached' | 'demo';
	readonly now: number;
	/**
	Clock milliseconds per real millisecond (1 normally; 120 in the demo), so a view can advance countdowns
	between snapshots without asking the core.
	*/
	readonly clockSpeed?: number;
	readonly proxyUrl: string | undefined;
	readonly strategy: string;
	readonly strategies: readonly {readonly name: string; readonly description: string}[];
	readonly accounts: readonly AccountSnapshot[];
	readonly sessions: readonly SessionSnapshot[];
	/** Newest first, bounded. */
	readonly requests: readonly RequestLogEntry[];
	/** Newest first, bounded. */
	readonly notices: readonly Notice[];
	readonly scheduler: SchedulerSnapshot;
	/** Since the core started (the TUI labels them "today" when the day has not turned). */
	readonly totals: Totals;
	/** Streams in flight right now (the TUI asks before quitting an embedded proxy with streams running). */
	readonly inFlight: number;
};

/** Events pushed as they happen (also streamed by `GET /api/events`). */
export type CoreEvents = {
	request: [RequestLogEntry];
	move: [
		{
			readonly at: number;
			readonly sessionId: string;
			readonly from: string;
			readonly to: string;
			readonly reason: string;
		},
	];
	kick: [
		{
			readonly at: number;
			readonly accountId: string;
			readonly dryRun: boolean;
			readonly ok: boolean;
			readonly detail: string;
		},
	];
	notice: [Notice];
};

/** The result of an action, always shown to the user as a notice too. */
export type ActionResult = {readonly ok: boolean; readonly message: string};

/**
What the UI can ask the core to do. Every action resolves (never rejects) with what happened, so a view can
show it; the same methods exist on the embedded core and on the remote one attached to a daemon.
*/
export type CoreActions = {
	pin: (account: string) => Promise<ActionResult>;
	unpin: (account: string) => Promise<ActionResult>;
	drain: (account: string) => Promise<ActionResult>;
	evict: (account: string) => Promise<ActionResult>;
	restore: (account: string) => Promise<ActionResult>;
	/** Sets the strategy; `options` (sequential's order as account ids, threshold) are merged into the saved ones. */
	setStrategy: (name: string, options?: StrategyOptions) => Promise<ActionResult>;
	/** Changes the scheduler's settings (only the fields given; accounts by name or id; quietHours null clears). */
	setScheduler: (change: SchedulerChange) => Promise<ActionResult>;
	kick: (account: string) => Promise<ActionResult>;
	refreshUsage: (account?: string) => Promise<ActionResult>;
};

export type Unsubscribe = () => void;

/** The one object the UI talks to. */
export type Core = CoreActions & {
	subscribe: (listener: () => void) => Unsubscribe;
	getSnapshot: () => CoreSnapshot;
	on: <E extends keyof CoreEvents>(event: E, listener: (...args: CoreEvents[E]) => void) => Unsubscribe;
	stop: () => Promise<void>;
};
