/**
The two quota windows every account has, classified by their length (never by the header slot they came
in: some plans report only a weekly window, in the primary slot).
*/
export type WindowKind = 'five-hour' | 'weekly';

export const FIVE_HOUR_MINUTES = 300;
export const WEEKLY_MINUTES = 10_080;

/** One window as the upstream last reported it. */
export type QuotaWindow = {
	readonly kind: WindowKind;
	/** Window length in minutes, as reported (300 or 10080 in practice). */
	readonly lengthMinutes: number;
	/** 0..100 as the upstream reports it; an idle window is 0. */
	readonly usedPercent: number;
	/** Milliseconds since the epoch when the window resets; undefined while the window is idle (not started). */
	readonly resetAt: number | undefined;
	/**
	For a window read as idle: the reset its report gave, one window length after the report. A window that in
	fact started then (the report of a request that started it: see started.ts) resets at this time.
	*/
	readonly idleResetAt?: number;
};

/** What we know of an account's quota, and when we learnt it. */
export type AccountQuota = {
	readonly fiveHour: QuotaWindow | undefined;
	readonly weekly: QuotaWindow | undefined;
	/** When this was observed (ms since the epoch). */
	readonly observedAt: number;
};
