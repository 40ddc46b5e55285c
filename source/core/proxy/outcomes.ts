import {markExhausted} from '../pool/exhaustion.ts';
import type {Pool} from '../pool/pool.ts';
import type {DispatchFailure} from './dispatch-types.ts';
import {failureRestWords} from './failure-rest.ts';
import {isSetAside, setAsideAccounts, setAsideWords} from './set-aside.ts';
import {needsLoginError} from './upstream-client.ts';
import type {UpstreamFailure} from './upstream-errors.ts';

/** A 429 rate_limit_exceeded without "try again in": rest this long. */
const RATE_LIMIT_REST_MS = 10_000;

/** Where the engine's notices go (the request log's notice list). */
export type Notify = (level: 'info' | 'warn' | 'error', message: string) => void;

/** Marks an account whose token could not be had: refused logins need a new one, the rest back off. */
export function markTokenFailure(
	pool: Pool,
	accountId: string,
	error: unknown,
	notice: Notify,
): UpstreamFailure {
	const message = error instanceof Error ? error.message : String(error);
	if (needsLoginError(error)) {
		pool.markNeedsLogin(accountId, message);
		notice('error', `Account ${pool.get(accountId)?.record.name ?? accountId} needs a new login: ${message}`);
	} else {
		pool.markFailure(accountId, 'auth');
	}

	return {kind: 'unauthorized', message};
}

/** Marks the account after a failure that made the engine try another one. */
export function markForFailure(pool: Pool, accountId: string, failure: UpstreamFailure, now: number): void {
	switch (failure.kind) {
		case 'usage-limit': {
			markExhausted(pool, accountId, failure.resetsAt, now);
			return;
		}

		case 'rate-limit': {
			pool.markCooling(accountId, now + (failure.retryAfterMs ?? RATE_LIMIT_REST_MS), 'rate-limit');
			return;
		}

		case 'unauthorized': {
			// The token source already marked a refused login; a 401 the refresh did not cure gets a backoff.
			if (pool.get(accountId)?.health.status !== 'needs-login') {
				pool.markFailure(accountId, 'auth');
			}

			return;
		}

		case 'server': {
			pool.markFailure(accountId, 'server');
			return;
		}

		case 'connect':
		case 'reset':
		case 'timeout': {
			pool.markFailure(accountId, 'connect');
			return;
		}

		default:
	}
}

/**
What the client gets when no account could serve: 429 `usage_limit_reached` with the earliest reset (Codex
then tells its user when to come back; accounts set aside are named with their fix), 503 when the upstream
itself failed, or 503 when only the user can help (every account needs a login, is evicted or drained, or there
is none): what is wrong and the command that fixes it, and no "try again", since waiting would not help.
*/
export function noAccountFailure(
	pool: Pool,
	lastFailure: UpstreamFailure | undefined,
	now: number,
): DispatchFailure {
	const accounts = pool.list();
	if (accounts.length === 0) {
		return {
			ok: false,
			status: 503,
			error: {
				type: 'no_accounts',
				message:
					'codexpool has no accounts yet: add one with `codexpool import ~/.codex` or `codexpool login`.',
			},
		};
	}

	if (lastFailure !== undefined && ['server', 'connect', 'reset', 'timeout'].includes(lastFailure.kind)) {
		return {
			ok: false,
			status: 503,
			error: {
				type: 'upstream_unavailable',
				message: `The ChatGPT backend could not be reached through any account (last error: ${lastFailure.message}). Try again shortly.`,
			},
		};
	}

	// Drained accounts count as usable for the pool (they keep their sessions) but take no new ones: only the
	// accounts that wait for a reset say when to come back.
	const setAside = setAsideAccounts(pool);
	let earliest: number | undefined;
	for (const account of accounts) {
		const at = pool.usableAt(account.record.id);
		if (
			at !== undefined &&
			!isSetAside(setAside, account.record.name) &&
			(earliest === undefined || at < earliest)
		) {
			earliest = at;
		}
	}

	const setAsideText = setAsideWords(setAside);
	if (earliest === undefined) {
		// Waiting cannot help: say what is wrong with each account and the command that fixes it.
		return {
			ok: false,
			status: 503,
			error: {
				type: 'no_usable_account',
				message: `No account in the pool can take this request: ${setAsideText}.`,
			},
		};
	}

	// Accounts that only rest after failing are not at a usage limit: say what failed, and when they are tried again.
	const failed = failureRestWords(
		accounts.filter(
			(account) =>
				!isSetAside(setAside, account.record.name) && pool.usableAt(account.record.id) !== undefined,
		),
		(id) => pool.usableAt(id),
		now,
	);
	if (failed !== undefined) {
		return {
			ok: false,
			status: 503,
			error: {
				type: 'accounts_failing',
				message: `No account in the pool can serve right now: ${failed}. Each is tried again after a short rest, the first at ${new Date(earliest).toISOString()}: try again then.${setAsideText === '' ? '' : ` Set aside: ${setAsideText}.`}`,
			},
		};
	}

	const resetsAt = Math.ceil(Math.max(earliest, now) / 1000);
	const resetsIn = Math.max(0, Math.ceil((earliest - now) / 1000));
	const usableAgain = `the first is usable again at ${new Date(earliest).toISOString()}`;
	return {
		ok: false,
		status: 429,
		error: {
			type: 'usage_limit_reached',
			message:
				setAsideText === ''
					? `Every account in the pool has reached its usage limit; ${usableAgain}.`
					: `Every account in the pool has reached its usage limit or is set aside; ${usableAgain}. Set aside: ${setAsideText}.`,
			resets_at: resetsAt,
			resets_in_seconds: resetsIn,
			...(setAsideText !== '' && {set_aside: setAsideText}),
		},
	};
}

/** Why the session's account did not serve it, in words for the move record. */
export function failureWords(failure: UpstreamFailure | undefined): string {
	switch (failure?.kind) {
		case 'usage-limit': {
			return 'its account reached its usage limit';
		}

		case 'rate-limit': {
			return 'its account was rate-limited';
		}

		case 'unauthorized': {
			return 'its account was refused (401) even after a token refresh';
		}

		case 'server': {
			return `its account got a server error (${failure.status})`;
		}

		case undefined: {
			return 'its account failed';
		}

		default: {
			return `its account could not reach the upstream (${failure?.kind})`;
		}
	}
}
