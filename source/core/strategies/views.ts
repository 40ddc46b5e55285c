import type {PlanType} from '../model.ts';
import type {AccountView, PickContext, WindowView} from './types.ts';

/*
Helpers every strategy shares, so that "usable", "idle", the model's quota units and the tie-breaks mean
the same thing everywhere. Kept free of any one strategy's rule.
*/

/**
A window counts as exhausted from this used percent on (the upstream reports 100 when it refuses). The
simulator turns its quota units into percents with `usedPercentOf` (quota/state.ts), which snaps to 100 when
less than the model's 1e-9 is left, so this test agrees with the model's `usable > 1e-9`.
*/
export const EXHAUSTED_PERCENT = 100;

/**
The model's window quotas relative to the weekly quota (simulation-model.md: F = 0.12, W = 1). Strategies that
reason in quota units (`greedy-*`) use these, since the upstream only ever reports percentages.
*/
export const FIVE_HOUR_QUOTA = 0.12;
export const WEEKLY_QUOTA = 1;

/** Default mean session size for `greedy-duration`, in weekly-quota units (the model's middle `m`). */
export const DEFAULT_MEAN_SESSION_SIZE = 0.02;

/**
The window as it stands at `now`: once its reset time has passed it is idle at 0%, whatever we last heard
(our data may be older than the reset).
*/
export function effectiveWindowView(window: WindowView, now: number): WindowView {
	if (window.resetAt !== undefined && now >= window.resetAt) {
		return {usedPercent: 0, resetAt: undefined, lengthMs: window.lengthMs};
	}

	return window;
}

/** The account with its windows brought to `now` (see effectiveWindowView); a missing window stays missing. */
export function effectiveAccountView(account: AccountView, now: number): AccountView {
	const fiveHour = account.fiveHour && effectiveWindowView(account.fiveHour, now);
	const weekly = effectiveWindowView(account.weekly, now);
	if (fiveHour === account.fiveHour && weekly === account.weekly) {
		return account;
	}

	return {...account, fiveHour, weekly};
}

/** Used percent of a window at `now`; a window the account does not have uses nothing (0). */
export function usedPercentNow(window: WindowView | undefined, now: number): number {
	return window === undefined ? 0 : effectiveWindowView(window, now).usedPercent;
}

/** The used percent at which a window counts as exhausted: the user's cap on it, else 100. */
export function capPercent(account: AccountView, key: 'fiveHour' | 'weekly'): number {
	const cap = account.caps?.[key];
	return cap === undefined ? EXHAUSTED_PERCENT : Math.min(EXHAUSTED_PERCENT, cap);
}

/** Whether the window is at its limit at `now`: 100%, or the user's cap on it. A missing window never is. */
export function windowSpent(account: AccountView, key: 'fiveHour' | 'weekly', now: number): boolean {
	const window = account[key];
	return window !== undefined && effectiveWindowView(window, now).usedPercent >= capPercent(account, key);
}

/** Whether the window is spent only because of the user's cap (below 100%, at or past the cap). */
export function windowCappedOut(account: AccountView, key: 'fiveHour' | 'weekly', now: number): boolean {
	return windowSpent(account, key, now) && usedPercentNow(account[key], now) < EXHAUSTED_PERCENT;
}

/**
Whether the account can serve a request at `now`: no window at 100% or at the user's cap on it (after resets
that passed), not cooling down after an error, no login problem. Marks are not considered here: the
selection layer applies them. Every caller (selection, simulator, proxy) uses this one definition.
*/
export function isUsable(account: AccountView, now: number): boolean {
	if (account.needsLogin) {
		return false;
	}

	if (account.coolingUntil !== undefined && now < account.coolingUntil) {
		return false;
	}

	return !windowSpent(account, 'fiveHour', now) && !windowSpent(account, 'weekly', now);
}

/** Whether a window is idle (not started) at `now`. A missing window is not idle: it cannot be started. */
export function isIdle(window: WindowView | undefined, now: number): boolean {
	return window !== undefined && effectiveWindowView(window, now).resetAt === undefined;
}

/** 0..1 of the window still free at `now` (an idle window is all free, and so is a missing one). */
export function remainingFraction(window: WindowView | undefined, now: number): number {
	return clamp01(1 - usedPercentNow(window, now) / 100);
}

/**
The usable quota now, in weekly-quota units: min(F·free5h, W·freeWeekly), as in the model's
`usable = min(F − u5, W − uw)`, each window counted only up to the user's cap on it; an account without a
five-hour window has only its weekly quota.
*/
export function usableQuota(account: AccountView, now: number): number {
	const weekly = WEEKLY_QUOTA * headroom(account, 'weekly', now);
	return account.fiveHour === undefined
		? weekly
		: Math.min(FIVE_HOUR_QUOTA * headroom(account, 'fiveHour', now), weekly);
}

/** 0..1 of the window left before its limit (the user's cap on it, else 100%); a missing window: all of it. */
export function headroom(account: AccountView, key: 'fiveHour' | 'weekly', now: number): number {
	return clamp01((capPercent(account, key) - usedPercentNow(account[key], now)) / 100);
}

/**
When the window would reset as the upstream would report it: its resetAt, or for an idle window
`now + length` (the upstream's sliding reset of an unstarted window).
*/
export function reportedResetAt(window: WindowView, now: number): number {
	return effectiveWindowView(window, now).resetAt ?? now + window.lengthMs;
}

/**
The accounts a strategy chooses among: the usable ones; if none is usable and this pick places a new
session, all of them (simulation-model.md: a strategy with a fallback picks by its own rule over all
accounts and the session starts paused). Moves and resumes only ever go to usable accounts.
*/
export function candidatesFor(
	accounts: readonly AccountView[],
	context: PickContext,
	fallbackToAll: boolean,
): readonly AccountView[] {
	const usable = accounts.filter((account) => isUsable(account, context.now));
	if (usable.length > 0 || !fallbackToAll || context.kind !== 'new') {
		return usable;
	}

	return accounts;
}

/** Plan capacity in credits, as codex-lb weighs plans. Unknown plans count as plus (documented choice). */
export function planCapacity(plan: PlanType): number {
	switch (plan) {
		case 'free': {
			return 1134;
		}

		case 'pro': {
			return 50_400;
		}

		default: {
			// Plus/team/business/edu are 7560 in codex-lb; go/enterprise/unknown are not in its table.
			return 7560;
		}
	}
}

/** Last-picked time as a sort key: never-picked accounts sort first. */
export function lastPickedKey(account: AccountView): number {
	return account.lastPickedAt ?? Number.NEGATIVE_INFINITY;
}

/** Stable id order (code-unit order, independent of locale). */
export function compareIds(a: string, b: string): number {
	if (a < b) {
		return -1;
	}

	return a > b ? 1 : 0;
}

/** Lexicographic comparison of numeric keys, then the account id. */
export function compareKeys(a: readonly number[], b: readonly number[], idA: string, idB: string): number {
	for (let i = 0; i < a.length; i++) {
		const difference = (a[i] ?? 0) - (b[i] ?? 0);
		if (difference !== 0 && !Number.isNaN(difference)) {
			return difference < 0 ? -1 : 1;
		}
	}

	return compareIds(idA, idB);
}

/** The account whose key (then id) is smallest. */
export function minBy(
	accounts: readonly AccountView[],
	key: (account: AccountView) => readonly number[],
): AccountView | undefined {
	let best: AccountView | undefined;
	let bestKey: readonly number[] = [];
	for (const account of accounts) {
		const accountKey = key(account);
		if (best === undefined || compareKeys(accountKey, bestKey, account.id, best.id) < 0) {
			best = account;
			bestKey = accountKey;
		}
	}

	return best;
}

/**
A random pick weighted by `weights` (same order as `accounts`), from one draw of the strategy's stream.
Accounts are taken in id order so the result does not depend on the caller's list order.
*/
export function weightedPick(
	accounts: readonly AccountView[],
	weights: readonly number[],
	random: () => number,
): AccountView | undefined {
	const pairs = accounts
		.map((account, index) => ({account, weight: Math.max(0, weights[index] ?? 0)}))
		.sort((a, b) => compareIds(a.account.id, b.account.id));
	const total = pairs.reduce((sum, pair) => sum + pair.weight, 0);
	if (total <= 0) {
		return undefined;
	}

	let target = random() * total;
	for (const pair of pairs) {
		if (pair.weight <= 0) {
			continue;
		}

		target -= pair.weight;
		if (target < 0) {
			return pair.account;
		}
	}

	// Rounding can leave a sliver: the last account with weight takes it.
	return pairs.findLast((pair) => pair.weight > 0)?.account;
}

/** A uniform pick from the strategy's stream, in id order. */
export function uniformPick(accounts: readonly AccountView[], random: () => number): AccountView | undefined {
	const sorted = [...accounts].sort((a, b) => compareIds(a.id, b.id));
	return sorted[Math.min(sorted.length - 1, Math.floor(random() * sorted.length))];
}

function clamp01(value: number): number {
	return Math.min(1, Math.max(0, value));
}
