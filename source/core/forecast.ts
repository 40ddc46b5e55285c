import type {QuotaWindow} from './quota/types.ts';

/** One window as a reading gives it: its used percent and, once started, when it resets. */
export type WindowReading = Pick<QuotaWindow, 'usedPercent' | 'resetAt'>;

/** One observation of an account's windows; undefined for a window the account did not have then. */
type Sample = {
	readonly at: number;
	readonly fiveHour: WindowReading | undefined;
	readonly weekly: WindowReading | undefined;
};

/** Two readings of one running window may report its reset this far apart (whole seconds, latency). */
const SAME_RESET_MS = 2 * 60_000;
/**
Readings of one window disagree by this much without anything having happened: the usage poll reports whole
percents where the response headers report fractions, and a stream that started earlier may report after
one that started later.
*/
const NOISE_PERCENT = 1.5;

/**
The recent burn rate of each account's windows, from the used percents the upstream reported, and from it
the forecast the control center shows: at this pace, does the window run out before it resets, and when?
Samples older than `spanMs` are dropped. A new window (another reset time; one that vanished or came back,
as for weekly-only plans and the months the backend dropped the 5-hour window) restarts the series; a
reading that is merely behind the last one (rounded, or late) is left out, since a window's usage never
falls until it resets.
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

	observe(
		accountId: string,
		at: number,
		fiveHour: WindowReading | undefined,
		weekly: WindowReading | undefined,
	): void {
		let series = this.#samples.get(accountId) ?? [];
		const last = series.at(-1);
		const sample = {at, fiveHour, weekly};
		if (last !== undefined) {
			const relations = [relation(fiveHour, last.fiveHour), relation(weekly, last.weekly)];
			if (relations.includes('new')) {
				series = [];
			} else if (relations.includes('behind')) {
				return;
			}
		}

		const unchanged =
			last !== undefined &&
			series.length > 1 &&
			last.fiveHour?.usedPercent === fiveHour?.usedPercent &&
			last.weekly?.usedPercent === weekly?.usedPercent;
		// Unchanged: keep the first and move the last, so the span still measures the pace.
		series = unchanged ? [...series.slice(0, -1), sample] : [...series, sample];
		this.#samples.set(
			accountId,
			series.filter((kept) => kept.at >= at - this.#spanMs),
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

		const from = first[kind]?.usedPercent;
		const to = last[kind]?.usedPercent;
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

/**
How a reading stands to the last one of the same window: `new` when it is another window (it appeared,
vanished, started, or resets at another time), `behind` when it reports less of the same window (a rounded or
late reading), else `same`. Without reset times only a fall beyond the noise tells a reset.
*/
function relation(
	now: WindowReading | undefined,
	before: WindowReading | undefined,
): 'new' | 'behind' | 'same' {
	if (now === undefined || before === undefined) {
		return now === before ? 'same' : 'new';
	}

	if ((now.resetAt === undefined) !== (before.resetAt === undefined)) {
		return 'new';
	}

	if (now.resetAt !== undefined && before.resetAt !== undefined) {
		if (Math.abs(now.resetAt - before.resetAt) > SAME_RESET_MS) {
			return 'new';
		}
	} else if (now.usedPercent < before.usedPercent - NOISE_PERCENT) {
		return 'new';
	}

	return now.usedPercent < before.usedPercent ? 'behind' : 'same';
}
