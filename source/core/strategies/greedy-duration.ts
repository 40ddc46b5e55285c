import type {AccountView, Strategy} from './types.ts';
import {
	candidatesFor,
	DEFAULT_MEAN_SESSION_SIZE,
	effectiveWindowView,
	FIVE_HOUR_QUOTA,
	headroom,
	lastPickedKey,
	minBy,
	usableQuota,
	WEEKLY_QUOTA,
} from './views.ts';

/**
The scheduling post's `greedy-duration`: the smallest expected wait for a session of the mean size `m`
(`options.meanSessionSize`, weekly-quota units, default 0.02): zero if the usable quota (min(F·free 5h,
W·free weekly), F = 0.12, W = 1, an idle window counting as full) is at least `m`, else the time until the
binding window resets. "Binding" is every window whose free quota is below `m`; the wait lasts until the
last of them resets (an idle one would reset a full length after it starts). Ties: more usable quota, then
least recently picked, then id. With none usable, a new session takes the same rule over all accounts: the
one that recovers soonest (it starts paused there).
*/
export const greedyDuration: Strategy = {
	name: 'greedy-duration',
	description: 'Scheduling post: the smallest expected wait for a session of the mean size',
	pick(accounts, context) {
		const mean = context.options?.meanSessionSize ?? DEFAULT_MEAN_SESSION_SIZE;
		return minBy(candidatesFor(accounts, context, true), (account) => [
			expectedWait(account, context.now, mean),
			-usableQuota(account, context.now),
			lastPickedKey(account),
		])?.id;
	},
};

/** Expected wait (ms) before `account` can serve `mean` units of work (see greedyDuration). */
export function expectedWait(account: AccountView, now: number, mean: number): number {
	if (usableQuota(account, now) >= mean) {
		return 0;
	}

	return Math.max(
		windowWait(account, 'fiveHour', FIVE_HOUR_QUOTA, now, mean),
		windowWait(account, 'weekly', WEEKLY_QUOTA, now, mean),
	);
}

function windowWait(
	account: AccountView,
	key: 'fiveHour' | 'weekly',
	quota: number,
	now: number,
	mean: number,
): number {
	const window = account[key];
	// A window the account does not have never binds; a capped one binds at its cap.
	if (window === undefined || quota * headroom(account, key, now) >= mean) {
		return 0;
	}

	const resetAt = effectiveWindowView(window, now).resetAt;
	return resetAt === undefined ? window.lengthMs : resetAt - now;
}
