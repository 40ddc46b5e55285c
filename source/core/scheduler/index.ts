export {hasActiveFiveHourWindow, inFilter, kickBlocker} from './eligibility.ts';
export {chooseKickModel, type KickModel, type ListedModel, parseListedModels} from './kick-model.ts';
export {createKickSender, type KickSenderOptions, kickBody} from './kick-request.ts';
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
