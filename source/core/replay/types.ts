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

/** The account key for a session whose login is not named in its file (older Codex). */
export const UNKNOWN_ACCOUNT = 'unknown';

/** Percent of one window a token of each kind costs. */
export type WindowCost = {
	readonly uncachedInput: number;
	readonly cachedInput: number;
	readonly output: number;
};
