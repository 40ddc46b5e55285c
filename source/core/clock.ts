/**
A source of time. Everything in the core asks a Clock instead of calling `Date.now()`, so tests and the
demo can run on a fake or an accelerated clock.
*/
export type Clock = {
	/** Milliseconds since the Unix epoch, as this clock sees it. */
	now: () => number;
	/** How many clock milliseconds pass per real millisecond (1 for the system clock). */
	readonly speed: number;
};

export const systemClock: Clock = {now: () => Date.now(), speed: 1};

/**
A clock that starts at `start` and runs `speed` times faster than real time, for the demo and for tests of
things that take hours.
*/
export function createScaledClock(speed: number, start = Date.now()): Clock {
	const realStart = performance.now();
	return {
		now: () => start + (performance.now() - realStart) * speed,
		speed,
	};
}

/** A clock that moves only when told to. */
export type ManualClock = Clock & {set: (ms: number) => void; advance: (ms: number) => void};

export function createManualClock(start = 0): ManualClock {
	let current = start;
	return {
		now: () => current,
		speed: 1,
		set(ms) {
			current = ms;
		},
		advance(ms) {
			current += ms;
		},
	};
}

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
