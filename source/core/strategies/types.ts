import type {AccountCaps, Marks, PlanType, StrategyOptions} from '../model.ts';
import type {Random} from '../random.ts';

/** One window as a strategy sees it. */
export type WindowView = {
	/** 0..100; an idle window is 0. */
	readonly usedPercent: number;
	/** When the window resets (ms since the epoch), or undefined while it is idle. */
	readonly resetAt: number | undefined;
	/** Window length in milliseconds. */
	readonly lengthMs: number;
};

/**
Everything a strategy may know about one account: only what the upstream really tells us, plus our own
bookkeeping (running sessions, last pick) and the user's marks.
*/
export type AccountView = {
	readonly id: string;
	readonly plan: PlanType;
	/**
	Undefined when the account has no five-hour window: plans metered weekly only (their weekly window comes in
	the primary slot) and the months when the backend dropped the 5-hour window. Windows are keyed by their
	observed length, never by their slot. An account whose quota is not known yet is shown both windows idle.
	*/
	readonly fiveHour: WindowView | undefined;
	readonly weekly: WindowView;
	/** Sessions currently running on this account. */
	readonly running: number;
	/** When a strategy last picked this account (ms since the epoch); undefined if never. */
	readonly lastPickedAt: number | undefined;
	readonly marks: Marks;
	/**
	Until when the account is cooling down after an error (429, repeated 5xx, ...), or undefined. Live only:
	the simulator never sets it.
	*/
	readonly coolingUntil: number | undefined;
	/** The account needs a fresh login (its refresh token was refused). Live only. */
	readonly needsLogin: boolean;
	/** The user's caps (see AccountCaps); absent or empty: every window is used to 100%. */
	readonly caps?: AccountCaps | undefined;
};

/** Why a pick is being made. */
export type PickKind = 'new' | 'move' | 'resume';

export type PickContext = {
	/** ms since the epoch (the simulator uses its own epoch 0). */
	readonly now: number;
	readonly kind: PickKind;
	/** The strategy's own random stream (separate from the workload's in the simulator). */
	readonly random: Random;
	/** For a move or a resume: the account the session was on. */
	readonly previous?: string | undefined;
	/** Strategy options set by the user, e.g. `sequential`'s order and threshold. */
	readonly options?: StrategyOptions | undefined;
};

/**
A scheduling strategy: a pure function from the accounts the selection layer offers to the id of the one to
use, or undefined for "none" (the caller decides what that means: pause, queue, or answer 429).
*/
export type Strategy = {
	readonly name: string;
	/** One line for `codexpool strategy` and the TUI picker. */
	readonly description: string;
	readonly pick: (accounts: readonly AccountView[], context: PickContext) => string | undefined;
};
