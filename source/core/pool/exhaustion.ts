import type {Pool} from './pool.ts';

/*
Every sign of an exhausted account is treated alike, on both transports: a 429 `usage_limit_reached` on a
POST or at a WebSocket handshake, an `error` frame with status 429 on a WebSocket, and a terminal usage-limit
event in the middle of a stream (`response.failed` whose error says the usage limit has been reached). Each
marks the account exhausted through `markExhausted`, so that new requests and moves go elsewhere until it
comes back.
*/

/** When a sign names no reset and no poll answers, the longest an account rests before it is tried again. */
export const UNKNOWN_RESET_MS = 15 * 60_000;

/**
This account is exhausted until `resetsAt` (ms since the epoch) when the sign carries one. Without one: until
a window the pool knows at 100% resets, else until the next usage poll says (at most UNKNOWN_RESET_MS). Returns
the time the rest ends at the latest.
*/
export function markExhausted(
	pool: Pool,
	accountId: string,
	resetsAt: number | undefined,
	now: number,
): number {
	if (resetsAt !== undefined && resetsAt > now) {
		pool.markCooling(accountId, resetsAt, 'quota');
		return resetsAt;
	}

	const quotaReset = knownReset(pool, accountId, now);
	if (quotaReset !== undefined) {
		pool.markCooling(accountId, quotaReset, 'quota');
		return quotaReset;
	}

	const until = now + UNKNOWN_RESET_MS;
	pool.markCooling(accountId, until, 'quota', {untilPoll: true});
	return until;
}

/** The latest reset of a window the pool knows at 100% (the one the account waits for), if any. */
function knownReset(pool: Pool, accountId: string, now: number): number | undefined {
	const quota = pool.get(accountId)?.quota;
	let latest: number | undefined;
	for (const window of [quota?.fiveHour, quota?.weekly]) {
		const resetAt = window?.resetAt;
		if (window !== undefined && window.usedPercent >= 100 && resetAt !== undefined && resetAt > now) {
			latest = Math.max(latest ?? resetAt, resetAt);
		}
	}

	return latest;
}

/** The error codes and types that say an account's usage limit is reached. */
const USAGE_LIMIT_CODES = new Set(['usage_limit_reached', 'insufficient_quota']);
const USAGE_LIMIT_MESSAGE = /usage limit has been reached|hit your usage limit/i;

/**
Whether an error object (a 429 body's `error`, a `response.failed` event's `response.error`, an `error`
frame's `error`) says the usage limit has been reached: by its code or type, or, as the real backend has
sent it mid-stream with another code, by its message.
*/
export function isUsageLimitError(error: unknown): boolean {
	if (typeof error !== 'object' || error === null) {
		return false;
	}

	const {code, type, message} = error as {code?: unknown; type?: unknown; message?: unknown};
	return (
		(typeof code === 'string' && USAGE_LIMIT_CODES.has(code)) ||
		(typeof type === 'string' && USAGE_LIMIT_CODES.has(type)) ||
		(typeof message === 'string' && USAGE_LIMIT_MESSAGE.test(message))
	);
}

/** The reset an error object carries: `resets_at` (unix seconds), else `resets_in_seconds` from `now`. */
export function resetOfError(error: unknown, now: number): number | undefined {
	if (typeof error !== 'object' || error === null) {
		return undefined;
	}

	const {resets_at: at, resets_in_seconds: inSeconds} = error as {
		resets_at?: unknown;
		resets_in_seconds?: unknown;
	};
	if (typeof at === 'number' && Number.isFinite(at)) {
		return at * 1000;
	}

	return typeof inSeconds === 'number' && Number.isFinite(inSeconds) ? now + inSeconds * 1000 : undefined;
}
