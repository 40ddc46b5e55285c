import type {AccountCaps, Marks, PlanType} from '../model.ts';
import type {AccountView, WindowView} from '../strategies/types.ts';
import {standardMinutes} from './classify.ts';
import type {AccountQuota, QuotaWindow, WindowKind} from './types.ts';

/*
What a quota observation means at a later time, and how it becomes the strategies' view. Pure: the time is
always passed in.
*/

/** A window at 100% (after snapping, see usedPercentOf) refuses work. */
const FULL_PERCENT = 100;

/** Below this much free quota (in the caller's units) a window counts as exhausted (the model's 1e-9). */
export const USABLE_EPSILON = 1e-9;

/** The window as it stands at `now`: past its reset it is idle at 0%, whatever we last heard. */
export function effectiveWindow(window: QuotaWindow, now: number): QuotaWindow {
	if (window.resetAt !== undefined && now >= window.resetAt) {
		return {...window, usedPercent: 0, resetAt: undefined};
	}

	return window;
}

/** The account's quota as it stands at `now` (see effectiveWindow). */
export function effectiveQuota(quota: AccountQuota, now: number): AccountQuota {
	return {
		fiveHour: quota.fiveHour && effectiveWindow(quota.fiveHour, now),
		weekly: quota.weekly && effectiveWindow(quota.weekly, now),
		observedAt: quota.observedAt,
	};
}

/** 0..1 of the window still free at `now`; a missing window counts as idle, all free. */
export function remainingFraction(window: QuotaWindow | undefined, now: number): number {
	if (window === undefined) {
		return 1;
	}

	return Math.min(1, Math.max(0, 1 - effectiveWindow(window, now).usedPercent / 100));
}

/** Conditions outside the quota that also make an account unusable (live only). */
export type Availability = {readonly coolingUntil?: number | undefined; readonly needsLogin?: boolean};

/** Usable at `now`: neither window at 100%, not cooling down, no login problem. */
export function isQuotaUsable(
	quota: AccountQuota | undefined,
	now: number,
	availability: Availability = {},
): boolean {
	if (availability.needsLogin) {
		return false;
	}

	if (availability.coolingUntil !== undefined && now < availability.coolingUntil) {
		return false;
	}

	if (quota === undefined) {
		return true;
	}

	return [quota.fiveHour, quota.weekly].every(
		(window) => window === undefined || effectiveWindow(window, now).usedPercent < FULL_PERCENT,
	);
}

/** The share of `quota` a cap of `capPercent` leaves usable (exactly `quota` without a cap). */
export function cappedQuota(quota: number, capPercent: number): number {
	return capPercent >= FULL_PERCENT ? quota : (quota * capPercent) / 100;
}

/**
Used percent of a window from amounts (e.g. the simulator's quota units), snapped to the window's limit (100,
or the user's cap `capPercent`) when less than USABLE_EPSILON is left below it, so that "percent < limit"
agrees exactly with the model's `usable > 1e-9`.
*/
export function usedPercentOf(used: number, quota: number, capPercent = FULL_PERCENT): number {
	const percent = Math.min(FULL_PERCENT, Math.max(0, (used / quota) * 100));
	if (cappedQuota(quota, capPercent) - used <= USABLE_EPSILON) {
		return Math.max(capPercent, percent);
	}

	return percent;
}

/** The strategies' view of a window at `now`; a missing window is idle at 0% with the kind's usual length. */
export function toWindowView(window: QuotaWindow | undefined, kind: WindowKind, now: number): WindowView {
	if (window === undefined) {
		return {usedPercent: 0, resetAt: undefined, lengthMs: standardMinutes(kind) * 60_000};
	}

	const effective = effectiveWindow(window, now);
	return {
		usedPercent: effective.usedPercent,
		resetAt: effective.resetAt,
		lengthMs: effective.lengthMinutes * 60_000,
	};
}

/** Everything besides the quota that an AccountView carries. */
export type AccountFacts = {
	readonly id: string;
	readonly plan: PlanType;
	readonly quota: AccountQuota | undefined;
	readonly running: number;
	readonly lastPickedAt: number | undefined;
	readonly marks: Marks;
	readonly coolingUntil?: number | undefined;
	readonly needsLogin?: boolean;
	readonly caps?: AccountCaps | undefined;
};

/**
The AccountView a strategy sees for an account at `now`. Unknown quota: both windows idle at their usual
lengths. Known quota without a five-hour window (weekly-only plans, or the backend dropped it): no five-hour
window in the view either.
*/
export function toAccountView(facts: AccountFacts, now: number): AccountView {
	const fiveHour = facts.quota?.fiveHour;
	return {
		id: facts.id,
		plan: facts.plan,
		fiveHour:
			facts.quota !== undefined && fiveHour === undefined
				? undefined
				: toWindowView(fiveHour, 'five-hour', now),
		weekly: toWindowView(facts.quota?.weekly, 'weekly', now),
		running: facts.running,
		lastPickedAt: facts.lastPickedAt,
		marks: facts.marks,
		coolingUntil: facts.coolingUntil,
		needsLogin: facts.needsLogin ?? false,
		...(facts.caps === undefined ? {} : {caps: facts.caps}),
	};
}
