import type {AccountView} from './types.ts';
import {
	compareKeys,
	effectiveWindowView,
	lastPickedKey,
	planCapacity,
	reportedResetAt,
	usedPercentNow,
} from './views.ts';

/*
What codex-lb's strategies share (strategies.md, "codex-lb"): in-flight pressure and "prefer earlier
reset". Kept in one place so the six codex-lb strategies read their inputs identically.
*/

/** Each running request adds this many percentage points to an account's used percents before sorting. */
export const IN_FLIGHT_PRESSURE_PERCENT = 2.5;

const DAY_MS = 86_400_000;

/** Used percents as codex-lb sorts them: effective at `now`, plus 2.5 points per running session. */
export function pressuredUsage(account: AccountView, now: number): {fiveHour: number; weekly: number} {
	const pressure = IN_FLIGHT_PRESSURE_PERCENT * account.running;
	return {
		fiveHour: usedPercentNow(account.fiveHour, now) + pressure,
		weekly: effectiveWindowView(account.weekly, now).usedPercent + pressure,
	};
}

/** Remaining weekly credits = plan capacity × (1 − weekly used/100), with pressure, never negative. */
export function remainingWeeklyCredits(account: AccountView, now: number): number {
	const used = Math.min(100, pressuredUsage(account, now).weekly);
	return Math.max(0, planCapacity(account.plan) * (1 - used / 100));
}

/**
Whole days until the weekly reset (floor). An idle weekly window is reported by the upstream with a reset a
full window away, so it lands in the last bucket, after every started window.
*/
export function weeklyResetDays(account: AccountView, now: number): number {
	return Math.max(0, Math.floor((reportedResetAt(account.weekly, now) - now) / DAY_MS));
}

/** "Prefer earlier reset": keep only the accounts whose weekly reset falls on the earliest whole day. */
export function preferEarlierReset(accounts: readonly AccountView[], now: number): readonly AccountView[] {
	if (accounts.length === 0) {
		return accounts;
	}

	const earliest = Math.min(...accounts.map((account) => weeklyResetDays(account, now)));
	return accounts.filter((account) => weeklyResetDays(account, now) === earliest);
}

/** codex-lb's usage order: (weekly used, 5h used, last picked, id), pressure included. */
export function usageOrder(now: number): (a: AccountView, b: AccountView) => number {
	const key = (account: AccountView) => {
		const usage = pressuredUsage(account, now);
		return [usage.weekly, usage.fiveHour, lastPickedKey(account)];
	};

	return (a, b) => compareKeys(key(a), key(b), a.id, b.id);
}
