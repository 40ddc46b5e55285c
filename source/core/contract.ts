import type {
	AccountCaps,
	AccountId,
	KickReport,
	Marks,
	Notice,
	PlanType,
	RequestLogEntry,
	SchedulerChange,
	SchedulerPlan,
	SessionMove,
	SessionSnapshot,
	StrategyOptions,
} from './model.ts';

// The vocabulary lives in model.ts; views read it through the contract.
export type {
	AccountCaps,
	AccountId,
	KickReport,
	Marks,
	Notice,
	NoticeLevel,
	PlannedKick,
	PlanType,
	RequestLogEntry,
	SchedulerChange,
	SessionMove,
	SessionSnapshot,
	StrategyOptions,
} from './model.ts';

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
	At the recent burn rate, when this window would run out (ms since the epoch), or reach the user's cap on
	it when there is one, if before it resets; undefined when it will last until its reset (or nothing is
	burning, or it is at its cap already).
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
	| {
			readonly kind: 'exhausted';
			readonly until: number | undefined;
			/** Set when it is the user's cap, not the upstream's limit, that the account reached. */
			readonly cap?: {readonly window: 'five-hour' | 'weekly'; readonly percent: number};
	  }
	| {readonly kind: 'needs-login'; readonly message: string};

export type AccountSnapshot = {
	readonly id: AccountId;
	readonly name: string;
	readonly email: string | undefined;
	readonly plan: PlanType;
	readonly marks: Marks;
	/** The user's caps on its windows, when any is set (shown with the marks). */
	readonly caps?: AccountCaps;
	readonly state: AccountState;
	readonly fiveHour: WindowSnapshot | undefined;
	readonly weekly: WindowSnapshot | undefined;
	readonly runningSessions: number;
	readonly lastPickedAt: number | undefined;
	/** When usage was last observed (header, event or poll). */
	readonly usageObservedAt: number | undefined;
};

/** The scheduler's settings and its plan of next kicks (none while it is off: see plan-on-show.ts). */
export type SchedulerSnapshot = SchedulerPlan;

export type Totals = {
	readonly requests: number;
	readonly inputTokens: number;
	readonly outputTokens: number;
	readonly sessions: number;
	readonly moves: number;
	readonly failovers: number;
};

/**
Something of the store that was set aside (a damaged file, accounts that could not be used) while its copy
is still there: `message` says what happened and what to do, in full.
*/
export type StoreDamageSnapshot = {readonly file: string; readonly at: number; readonly message: string};

export type CoreSnapshot = {
	/**
	`embedded`: this process runs the proxy; `attached`: it shows a daemon; `demo`: simulated upstream;
	`store`: no pool runs, only the store is read (a command with no daemon serving its home).
	*/
	readonly mode: 'embedded' | 'attached' | 'demo' | 'store';
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
	/** Attached: since when the daemon does not answer (ms since the epoch); undefined while it does. */
	readonly daemonUnreachableSince?: number;
	/** What of the store was set aside, until its copy is dealt with (absent from cores that cannot tell). */
	readonly storeDamage?: readonly StoreDamageSnapshot[];
};

/** Events pushed as they happen (also streamed by `GET /api/events`). */
export type CoreEvents = {
	request: [RequestLogEntry];
	move: [SessionMove];
	kick: [KickReport];
	notice: [Notice];
};

/**
The result of an action, always shown to the user as a notice too. `badInput` marks a refusal of the request
itself (an unknown account or strategy, a setting out of range): the command line exits 2 for it, as for any
other bad input, and 1 for every other failure.
*/
export type ActionResult = {readonly ok: boolean; readonly message: string; readonly badInput?: boolean};

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
	/**
	Sets the account's caps (used percent, 1..100, of each window at which it stops taking work until the
	window resets); undefined, or no window given, takes them off.
	*/
	setCaps: (account: string, caps: AccountCaps | undefined) => Promise<ActionResult>;
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
