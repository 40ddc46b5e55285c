import type {QuotaWindow} from './quota/types.ts';

/** One observation of an account's used percents; undefined for a window the account did not have then. */
type Sample = {
	readonly at: number;
	readonly fiveHour: number | undefined;
	readonly weekly: number | undefined;
};

/**
The recent burn rate of each account's windows, from the used percents the upstream reported, and from it
the forecast the control center shows: at this pace, does the window run out before it resets, and when?
Samples older than `spanMs` are dropped; a window that reset (its used percent fell), or that vanished or
came back (weekly-only plans, the months the backend dropped the 5-hour window), restarts the series.
*/
export class BurnForecast {
	readonly #spanMs: number;
	readonly #samples = new Map<string, Sample[]>();

	readonly #minSpanMs: number;

	/**
	`spanMs`: how far back the pace is measured; `minSpanMs`: the least history that gives a pace at all (one
	burst of requests right after a window started would otherwise read as a huge rate).
	*/
	constructor(spanMs = 30 * 60_000, minSpanMs = 10 * 60_000) {
		this.#spanMs = spanMs;
		this.#minSpanMs = minSpanMs;
	}

	observe(accountId: string, at: number, fiveHour: number | undefined, weekly: number | undefined): void {
		let series = this.#samples.get(accountId) ?? [];
		const last = series.at(-1);
		if (last !== undefined && (restarted(fiveHour, last.fiveHour) || restarted(weekly, last.weekly))) {
			series = [];
		}

		if (last !== undefined && last.fiveHour === fiveHour && last.weekly === weekly && series.length > 1) {
			// Unchanged: keep the first and move the last, so the span still measures the pace.
			series = [...series.slice(0, -1), {at, fiveHour, weekly}];
		} else {
			series = [...series, {at, fiveHour, weekly}];
		}

		this.#samples.set(
			accountId,
			series.filter((sample) => sample.at >= at - this.#spanMs),
		);
	}

	/**
	When `window` runs out at the recent pace, if that is before it resets; otherwise undefined. With the
	user's cap on the window (`capPercent`), when it reaches the cap: from then on the account takes no work.
	*/
	exhaustsAt(
		accountId: string,
		kind: 'fiveHour' | 'weekly',
		window: QuotaWindow | undefined,
		now: number,
		capPercent = 100,
	): number | undefined {
		const limit = Math.min(100, capPercent);
		if (window === undefined || window.resetAt === undefined || window.usedPercent >= limit) {
			return undefined;
		}

		const series = this.#samples.get(accountId);
		const first = series?.[0];
		const last = series?.at(-1);
		if (first === undefined || last === undefined || last.at - first.at < this.#minSpanMs) {
			return undefined;
		}

		const from = first[kind];
		const to = last[kind];
		if (from === undefined || to === undefined) {
			return undefined;
		}

		const perMs = (to - from) / (last.at - first.at);
		if (perMs <= 0) {
			return undefined;
		}

		const at = now + (limit - window.usedPercent) / perMs;
		return at < window.resetAt ? at : undefined;
	}

	forget(accountId: string): void {
		this.#samples.delete(accountId);
	}
}

/** A new reading starts a new series: the window reset (fell), appeared or vanished. */
function restarted(now: number | undefined, before: number | undefined): boolean {
	return now === undefined || before === undefined ? now !== before : now < before;
}
