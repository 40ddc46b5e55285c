import type {PlannedKick} from '../model.ts';
import type {SchedulerSettings} from '../store/types.ts';
import {type KickAttempt, kickBlocker} from './eligibility.ts';
import type {SchedulerAccount} from './types.ts';

/*
A kick that finds its account's 5-hour window about to reset waits for the reset instead of being dropped:
a kick planned for the moment a window resets (what `stagger` does in steady state) would otherwise lose to
the seconds between our kick and the upstream's own timestamp. Longer waits are the policy's decision.
*/
export const RESET_GRACE_MS = 5 * 60_000;
/** How long after a window's reset a deferred kick goes out, so the upstream surely sees the window idle. */
export const AFTER_RESET_MS = 1000;

/** Where a planned kick can go: at a (possibly later) time, or nowhere, with the reason. */
export type Placement =
	| {readonly kind: 'kick'; readonly kick: PlannedKick}
	| {readonly kind: 'blocked'; readonly reason: string};

/**
Moves a policy's kick past what blocks it for a while (cooling, a window about to reset), or says why it
cannot happen. Never earlier than `now`.
*/
export function placeKick(
	kick: PlannedKick,
	account: SchedulerAccount,
	now: number,
	settings: SchedulerSettings,
	attempt: KickAttempt | undefined,
	retryAfterFailureMs: number,
): Placement {
	let at = Math.max(kick.at, now);
	const notes: string[] = [];
	// A handful of rounds: each one clears one reason (cooling that ends just before a reset, ...).
	for (let round = 0; round < 6; round++) {
		const blocker = kickBlocker(account, at, settings, attempt, retryAfterFailureMs);
		if (!blocker) {
			const reason = notes.length > 0 ? `${kick.reason} (${notes.join('; ')})` : kick.reason;
			return {kind: 'kick', kick: {accountId: kick.accountId, at, reason}};
		}

		const until = blocker.until;
		if (blocker.waitable === 'recheck' && until !== undefined) {
			// Only fresh state can lift it (a usage reading): the kick is looked at again then (the caller defers it).
			notes.push(`waits: ${blocker.reason}`);
			return {
				kind: 'kick',
				kick: {accountId: kick.accountId, at: until, reason: `${kick.reason} (${notes.join('; ')})`},
			};
		}

		const waits =
			until !== undefined &&
			(blocker.waitable === 'always' || (blocker.waitable === 'briefly' && until - at <= RESET_GRACE_MS));
		if (!waits) {
			return {kind: 'blocked', reason: blocker.reason};
		}

		at = blocker.waitable === 'briefly' ? until + AFTER_RESET_MS : until;
		notes.push(`waits out: ${blocker.reason}`);
	}

	return {kind: 'blocked', reason: 'too many reasons to wait'};
}
