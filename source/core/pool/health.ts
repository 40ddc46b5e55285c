/**
The health of one account in the live pool. `cooling` ends on its own at `until`; `needs-login` ends only when
the user logs in again (the store clears the record's `needsLogin`).
*/
export type Health =
	| {readonly status: 'ok'}
	| {
			readonly status: 'cooling';
			readonly until: number;
			readonly reason: CoolingReason;
			/**
			A quota rest whose sign named no reset: the next usage poll ends it (the polled windows then say how
			long the account rests); `until` is only the longest it lasts without a poll.
			*/
			readonly untilPoll?: boolean;
	  }
	| {readonly status: 'needs-login'; readonly message: string};

/**
Why an account rests: `quota` (429 usage_limit_reached, a window at 100%), `rate-limit` (429
rate_limit_exceeded), `server` (5xx), `connect` (no connection), `auth` (a 401 the refresh did not cure).
*/
export type CoolingReason = 'quota' | 'rate-limit' | 'server' | 'connect' | 'auth';

export const healthy: Health = {status: 'ok'};

/** First backoff after an error; doubled on each further error in a row. */
export const BACKOFF_BASE_MS = 5000;
/** Longest backoff, as codex-lb caps it. */
export const BACKOFF_MAX_MS = 300_000;

/** The backoff after `failures` errors in a row (1 → 5 s, 2 → 10 s, ... capped at 5 min). */
export function backoffMs(failures: number): number {
	return Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** Math.max(0, failures - 1));
}

/** Whether the health lets traffic through at `now` (a cooling period that has passed counts as ok). */
export function healthAllows(health: Health, now: number): boolean {
	return health.status === 'ok' || (health.status === 'cooling' && health.until <= now);
}
