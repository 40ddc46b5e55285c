import type {Random} from '../random.ts';
import type {Scenario} from './model.ts';

/** Workday scenario: busy 09:00-18:00, quiet outside, normalised so the daily mean equals the flat rate. */
const BUSY = 2.5 / 1.0625;
const QUIET = 0.2 / 1.0625;

/** Where a run's sessions come from: the next arrival's time and size, then advance. */
export type SessionSource = {
	readonly nextAt: number;
	readonly nextSize: number;
	advance(): void;
};

/** A scripted list of sessions (tests, worked examples): `at` in hours, `size` in weekly quotas. */
export class ScriptedWorkload implements SessionSource {
	nextAt = Number.POSITIVE_INFINITY;
	nextSize = 0;
	#index = -1;
	readonly #sessions: readonly {readonly at: number; readonly size: number}[];

	constructor(sessions: readonly {readonly at: number; readonly size: number}[]) {
		this.#sessions = [...sessions].sort((a, b) => a.at - b.at);
		this.advance();
	}

	advance(): void {
		const next = this.#sessions[++this.#index];
		this.nextAt = next?.at ?? Number.POSITIVE_INFINITY;
		this.nextSize = next?.size ?? 0;
	}
}

/**
The session stream of one run: Poisson arrivals (flat, or piecewise constant by hour of day) and
exponential sizes, drawn from the workload stream alone, in a fixed order (gap, then size), so every
strategy, movement setting and scheduler sees the same sessions for a seed.
*/
export class Workload implements SessionSource {
	/** Time of the next arrival (hours). */
	nextAt = 0;
	/** Size of the next arrival (weekly quotas). */
	nextSize = 0;
	readonly #random: Random;
	readonly #rate: number;
	readonly #mean: number;
	readonly #scenario: Scenario;

	constructor(random: Random, rate: number, mean: number, scenario: Scenario) {
		this.#random = random;
		this.#rate = rate;
		this.#mean = mean;
		this.#scenario = scenario;
		this.advance();
	}

	/** Draw the arrival after the current one. */
	advance(): void {
		const exposure = -Math.log(1 - this.#random());
		this.nextAt =
			this.#scenario === 'flat'
				? this.nextAt + exposure / this.#rate
				: workdayAfter(this.nextAt, exposure, this.#rate);
		this.nextSize = -this.#mean * Math.log(1 - this.#random());
	}
}

/** Invert the cumulative intensity of the workday rate: the time at which `exposure` more has accumulated. */
function workdayAfter(start: number, exposure: number, rate: number): number {
	let t = start;
	let left = exposure;
	for (;;) {
		const day = Math.floor(t / 24) * 24;
		const hour = t - day;
		const busy = hour >= 9 && hour < 18;
		const segmentEnd = day + (hour < 9 ? 9 : hour < 18 ? 18 : 24);
		const segmentRate = rate * (busy ? BUSY : QUIET);
		const room = segmentRate * (segmentEnd - t);
		if (left <= room) {
			return t + left / segmentRate;
		}

		left -= room;
		t = segmentEnd;
	}
}
