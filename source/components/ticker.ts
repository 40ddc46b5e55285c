import type {Clock} from '../core/clock.ts';

/** A shared once-a-tick time source for countdowns, in the `useSyncExternalStore` shape. */
export type Ticker = {
	readonly subscribe: (listener: () => void) => () => void;
	/** The clock's time at the last tick (stable between ticks, so renders agree with each other). */
	readonly getNow: () => number;
	/**
	Takes the time now without notifying anyone: called when the screen redraws for another reason, and
	pushes the next tick a whole tick away, so a busy core and the countdown cost one frame a second, not two.
	*/
	readonly touch: () => void;
};

export function createTicker(clock: Clock, tickMs: number): Ticker {
	const listeners = new Set<() => void>();
	let now = clock.now();
	let timer: NodeJS.Timeout | undefined;
	const tick = () => {
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
			// Push the next tick half a tick past when the next redraw for data is due (a tick after this one),
			// so a core publishing every second costs one frame a second, and ticks resume if it goes quiet.
			if (timer !== undefined) {
				clearInterval(timer);
				timer = setTimeout(() => {
					tick();
					timer = setInterval(tick, tickMs);
					timer.unref();
				}, tickMs * 1.5);
				timer.unref();
			}
		},
	};
}
