import type {ManualClock} from '../../../source/core/clock.ts';
import type {TimerSource} from '../../../source/core/scheduler/types.ts';

type Entry = {at: number; run: () => void; seq: number; cancelled: boolean};

/** Timers driven by hand on a manual clock: `runUntil` moves the clock from timer to timer. */
export function createManualTimers(clock: ManualClock) {
	let seq = 0;
	const entries: Entry[] = [];
	const timers: TimerSource = {
		at(at, run) {
			const entry = {at, run, seq: seq++, cancelled: false};
			entries.push(entry);
			return () => {
				entry.cancelled = true;
			};
		},
	};

	return {
		timers,
		pending: () => entries.filter((entry) => !entry.cancelled).length,
		/** A promise that resolves when the manual clock passes `at` (for jobs that take clock time). */
		waitUntil: (at: number) =>
			new Promise<void>((resolve) => {
				timers.at(at, resolve, 'wait');
			}),
		/** Runs every timer due up to `target` in time order, awaiting `settle` after each. */
		async runUntil(target: number, settle: () => Promise<void>) {
			await settle();
			for (;;) {
				const live = entries.filter((entry) => !entry.cancelled && entry.at <= target);
				live.sort((a, b) => a.at - b.at || a.seq - b.seq);
				const next = live[0];
				if (!next) {
					break;
				}

				next.cancelled = true;
				clock.set(Math.max(clock.now(), next.at));
				next.run();
				await settle();
			}

			clock.set(Math.max(clock.now(), target));
		},
	};
}
