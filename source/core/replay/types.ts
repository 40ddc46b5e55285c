import {ReadingTable, RequestTable} from './tables.ts';

/*
The shapes a replay passes between its stages: what the readers collect from Codex rollouts and the pool's own
history (requests, rate-limit readings, recorded limit hits), never any conversation content.
*/

/** Tokens of one request, by kind. `input` includes `cachedInput`; `output` includes `reasoningOutput`. */
export type Tokens = {
	readonly input: number;
	readonly cachedInput: number;
	readonly output: number;
	readonly reasoningOutput: number;
};

/** One completed model request, charged at `at` (ms since the epoch, its completion). */
export type RequestRecord = Tokens & {
	readonly at: number;
	/** The session (Codex thread, or the pool's session id). */
	readonly session: string;
	/** The account that served it (a ChatGPT account id, or `unknown`). */
	readonly account: string;
};

/** The used percent of the windows an account reported at `at` (before that moment's request was charged). */
export type Reading = {
	readonly at: number;
	readonly account: string;
	/** 0..100, or undefined when the reading had no window of that length. */
	readonly fiveHour: number | undefined;
	readonly fiveHourResetAt: number | undefined;
	readonly weekly: number | undefined;
	readonly weeklyResetAt: number | undefined;
};

/** A turn that ended with the usage-limit error; `nextTurnAt` is the next turn of the same session, if one came. */
export type LimitHit = {
	readonly at: number;
	readonly session: string;
	readonly account: string;
	readonly nextTurnAt: number | undefined;
};

/** A turn start, needed to find the turn that follows a limit hit. */
export type TurnStart = {readonly at: number; readonly session: string};

/** Everything the readers found, across every file and source. */
export type Collected = {
	requests: RequestTable;
	readings: ReadingTable;
	/** Limit hits as failed turns (their `nextTurnAt` is filled in once every turn of the session is known). */
	hits: {at: number; session: string; account: string}[];
	turnStarts: TurnStart[];
	/** Account → plan, where a reading or the pool's record named it. */
	plans: Map<string, string>;
	/** Session → account, from `session_meta.creator_account_id` or the pool's record. */
	sessionAccounts: Map<string, string>;
	/** Lines that could not be used: unparseable, truncated, or of an unknown type. */
	malformedLines: number;
	/** Of those, lines of a type this version does not know (skipped, as Codex adds types with releases). */
	unknownLines: number;
	files: number;
	bytes: number;
};

export function emptyCollected(): Collected {
	return {
		requests: new RequestTable(),
		readings: new ReadingTable(),
		hits: [],
		turnStarts: [],
		plans: new Map(),
		sessionAccounts: new Map(),
		malformedLines: 0,
		unknownLines: 0,
		files: 0,
		bytes: 0,
	};
}

/** The account key for a session whose login is not named in its file (older Codex). */
export const UNKNOWN_ACCOUNT = 'unknown';

/** Percent of one window a token of each kind costs. */
export type WindowCost = {
	readonly uncachedInput: number;
	readonly cachedInput: number;
	readonly output: number;
};
