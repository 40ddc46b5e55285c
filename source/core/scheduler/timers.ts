import {CronJob, CronTime} from 'cron';
import type {Clock} from '../clock.ts';
import type {CancelTimer, TimerSource} from './types.ts';

/*
Every job, recurring or not, is a one-shot CronJob at a Date. A cron expression cannot say "every 60 clock
seconds" on a clock that runs 120× (half a real second) or add jitter, but a Date can be computed for any
clock: the real moment at which the clock will read `clockMs` is now + (clockMs − clock.now()) / speed.
Recurring jobs re-arm themselves after each run. The timers keep the process alive on purpose: `stop()`
clears every one of them.
*/

/** Below this many real ms, a Date could already be past when cron reads it (cron throws for past dates). */
const MIN_CRON_DELAY_MS = 20;

/*
cron 4 re-reads a Date job's timeout when its timer fires a millisecond before the moment it computed for
itself, and throws "Date in past" from inside that timer if the Date has just passed (an uncaught error,
seen a few times per thousand jobs). This CronTime answers "now" instead of throwing.
*/
class OneShotTime extends CronTime {
	readonly #at: number;

	constructor(at: Date) {
		super(at);
		this.#at = at.getTime();
	}

	override getTimeout(): number {
		return Math.max(0, this.#at - Date.now());
	}
}

/**
Timers on cron's CronJob for any clock, real or accelerated. A timer that fires before the clock reads its
time (real timers are coarse; at 3600× one real ms is 3.6 clock seconds) waits out the remainder, so a job
never sees a clock earlier than the one it was planned for.
*/
export function createCronTimers(clock: Clock): TimerSource {
	return {
		at(clockMs, run, name) {
			let cancelled = false;
			let job: CronJob | undefined;
			let timeout: NodeJS.Timeout | undefined;
			let immediate: NodeJS.Immediate | undefined;
			const arm = () => {
				job = undefined;
				timeout = undefined;
				if (cancelled) {
					return;
				}

				const realDelay = (clockMs - clock.now()) / clock.speed;
				if (realDelay <= 0) {
					// Due already: still asynchronous, so `at` never runs a job inside its caller.
					immediate = setImmediate(() => {
						if (!cancelled) {
							run();
						}
					});
					return;
				}

				if (realDelay < MIN_CRON_DELAY_MS) {
					// Too close for a cron Date; a plain timer covers the last few real milliseconds.
					timeout = setTimeout(arm, Math.max(1, Math.ceil(realDelay)));
					return;
				}

				const date = new Date(Date.now() + Math.ceil(realDelay));
				job = CronJob.from({cronTime: date, onTick: arm, start: false, name});
				job.setTime(new OneShotTime(date));
				job.start();
			};

			arm();
			const cancel: CancelTimer = () => {
				cancelled = true;
				void job?.stop();
				if (timeout) {
					clearTimeout(timeout);
				}

				if (immediate) {
					clearImmediate(immediate);
				}
			};

			return cancel;
		},
	};
}
