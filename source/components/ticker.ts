import type {Clock} from '../core/clock.ts';

/** A shared once-a-tick time source for countdowns, in the `useSyncExternalStore` shape. */
export type Ticker = {
	readonly subscribe: (listener: () => void) => () => void;
	/** The clock's time at the last tick (stable between ticks, so renders agree with each other). */
	readonly getNow: () => number;
	/**
	Takes the time now without notifying anyone: called when the screen redraws for another reason, so the
	next tick can be skipped if it would come too soon after (one frame instead of two).
	*/
	readonly touch: () => void;
};

export function createTicker(clock: Clock, tickMs: number): Ticker {
	const listeners = new Set<() => void>();
	let now = clock.now();
	let timer: NodeJS.Timeout | undefined;
	let touchedAt = Number.NEGATIVE_INFINITY;

	const tick = () => {
		if (performance.now() - touchedAt < tickMs / 2) {
			return;
		}
		now = clock.now();
		for (const listener of listeners) {
			listener();
		}
	};

	return {
		subscribe(listener) {
			listeners.add(listener);
			if (timer === undefined) {
				now = clock.now();
				timer = setInterval(tick, tickMs);
				// Countdowns alone must not keep the process alive after the app unmounts.
				timer.unref();
			}
			return () => {
				listeners.delete(listener);
				if (listeners.size === 0 && timer !== undefined) {
					clearInterval(timer);
					timer = undefined;
				}
			};
		},
		getNow: () => now,
		touch() {
			now = clock.now();
			touchedAt = performance.now();
		},
	};
}
