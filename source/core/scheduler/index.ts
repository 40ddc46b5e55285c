export {hasActiveFiveHourWindow, inFilter, kickBlocker} from './eligibility.ts';
export {isQuiet, nextAllowed, parseClockTime, QuietHoursError, validateQuietHours} from './quiet-hours.ts';
export {createScheduler, defaultIntervals} from './scheduler.ts';
export {createCronTimers} from './timers.ts';
export type {
	CancelTimer,
	KickOptions,
	KickOutcome,
	KickPolicy,
	Scheduler,
	SchedulerAccount,
	SchedulerEvent,
	SchedulerIntervals,
	SchedulerOptions,
	TimerSource,
} from './types.ts';
