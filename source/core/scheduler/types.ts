import type {Clock} from '../clock.ts';
import type {KickPolicy} from '../kicks/types.ts';
import type {KickReport, SchedulerPlan} from '../model.ts';
import type {Random} from '../random.ts';
import type {SchedulerSettings} from '../store/types.ts';
import type {AccountView} from '../strategies/types.ts';

/**
Kick policies are source/core/kicks/'s: pure functions of the accounts and the time. `plan` returns the
kicks due now (`at <= now`) and a forecast; `nextCheck` says when to ask again. The simulator measures
them; the scheduler runs the very same ones.
*/
export type {KickOptions, KickPolicy} from '../kicks/types.ts';

/**
An account as the scheduler sees it: the strategy view plus the user's name for it (for messages), and
whether its usage has been read at all (`false` until the first reading; absent means read). Until then the
view shows both windows idle, which may not be so: a weekly-only account has no 5-hour window to kick.
*/
export type SchedulerAccount = AccountView & {readonly name?: string; readonly usageKnown?: boolean};

/** What one kick request cost and returned. Never contains a token. */
export type KickOutcome = {
	readonly ok: boolean;
	/** HTTP status, or undefined when no response arrived. */
	readonly status: number | undefined;
	readonly model: string | undefined;
	readonly effort: string | undefined;
	readonly inputTokens: number;
	readonly outputTokens: number;
	/** The `x-codex-*` rate-limit headers of the response, as sent (used percent, window, reset). */
	readonly rateLimitHeaders: Readonly<Record<string, string>>;
	/** Real time the request took, in ms. */
	readonly durationMs: number;
	/** What happened, in words (the cost on success, the failure and what to do otherwise). */
	readonly detail: string;
};

/** Everything the scheduler reports, for the core to turn into snapshot changes, events and notices. */
export type SchedulerEvent =
	| {
			readonly type: 'kick';
			/** Exactly the payload of `CoreEvents.kick`. */
			readonly kick: KickReport;
			/** Undefined for a dry run. */
			readonly outcome: KickOutcome | undefined;
	  }
	| {
			/** A planned kick that the checks at kick time refused. */
			readonly type: 'skip';
			readonly at: number;
			readonly accountId: string;
			readonly reason: string;
	  }
	| {readonly type: 'plan'; readonly plan: SchedulerPlan}
	| {
			/** A job failed (usage poll, refresh guard, planning); the scheduler keeps running. */
			readonly type: 'error';
			readonly at: number;
			readonly job: 'poll' | 'refresh-guard' | 'plan' | 'kick';
			readonly message: string;
	  };

/** Cancels one armed timer; calling it twice is harmless. */
export type CancelTimer = () => void;

/**
Where timers come from: `at(clockMs, run)` runs `run` once when the clock reaches `clockMs`. The default is
built on cron's CronJob; tests of long plans may drive a manual one instead.
*/
export type TimerSource = {
	readonly at: (clockMs: number, run: () => void, name: string) => CancelTimer;
};

/** Intervals of the recurring jobs, in clock milliseconds. */
export type SchedulerIntervals = {
	/** Usage polling (default 60 s). */
	readonly pollMs: number;
	/** Polls are spread by ± this share of the interval (default 0.1), so accounts are not polled in step. */
	readonly pollJitter: number;
	/** The token-refresh guard (default 5 min). */
	readonly refreshGuardMs: number;
	/** The longest the scheduler sleeps between asking its policy (default 5 min), for a fresh plan on show. */
	readonly replanMs: number;
	/** After a kick that failed, the account is not kicked again for this long (default 10 min). */
	readonly retryAfterFailureMs: number;
};

export type SchedulerOptions = {
	readonly clock: Clock;
	/** Fresh account state; asked at planning time and again at the moment of every kick. */
	readonly getAccounts: () => readonly SchedulerAccount[];
	/** The policies `settings.policy` chooses from (default: every one in source/core/kicks/). */
	readonly policies?: readonly KickPolicy[];
	readonly settings: SchedulerSettings;
	/** Sends one kick (see `createKickSender`). Should resolve, not reject; a rejection counts as a failed kick. */
	readonly sendKick: (accountId: string) => Promise<KickOutcome>;
	/** Polls usage of every account (`/wham/usage`); run every `pollMs`, never two at once. */
	readonly pollUsage?: () => Promise<void>;
	/** Refreshes tokens that are getting old; run every `refreshGuardMs`, never two at once. */
	readonly refreshGuard?: () => Promise<void>;
	readonly onEvent: (event: SchedulerEvent) => void;
	readonly intervals?: Partial<SchedulerIntervals>;
	/** Origin of the policy's tick grid (default: when the scheduler starts, so the first tick is at once). */
	readonly origin?: number;
	/** Default: cron jobs on `clock` (`createCronTimers`). */
	readonly timers?: TimerSource;
	/** For the poll jitter. Default Math.random. */
	readonly random?: Random;
};

/** The running scheduler. */
export type Scheduler = {
	/** The next kick per account with its reason (empty while no policy applies). */
	readonly getPlan: () => SchedulerPlan;
	/**
	Applies new settings (on/off, policy, accounts, quiet hours, dry run) and re-plans at once. Throws a
	QuietHoursError for quiet hours that are not "HH:MM" (the settings stay as they were). Bad quiet hours
	given to `createScheduler` do not throw: kicks stay off and an error event says why.
	*/
	readonly updateSettings: (settings: SchedulerSettings) => void;
	/** Re-plans now, e.g. after accounts were added or marked. (Kicks go out only at the policy's checks.) */
	readonly replan: () => void;
	/** Resolves once no kick, poll or guard started by the scheduler is still running. */
	readonly whenIdle: () => Promise<void>;
	/** Clears every timer; resolves when the jobs in flight have finished. */
	readonly stop: () => Promise<void>;
};
