import type {SchedulerSettings} from '../store/types.ts';
import {capPercent} from '../strategies/views.ts';
import {isQuiet, nextAllowed} from './quiet-hours.ts';
import type {SchedulerAccount} from './types.ts';

/** The scheduler's memory of its last kick of one account. */
export type KickAttempt = {
	/** When the kick went out. */
	readonly at: number;
	/** When the policy had planned it (earlier, if it waited for a reset). */
	readonly plannedAt: number;
	readonly ok: boolean;
};

/**
Why an account must not be kicked at some moment. `until` is when that reason ends by itself (a window
reset, the end of quiet hours), or undefined when only the user can lift it (a mark, a login).
*/
export type KickBlocker = {
	readonly reason: string;
	readonly until: number | undefined;
	/**
	Cooling and a failed kick are waited out; a window about to reset only briefly; an account whose usage is
	not read yet is looked at again, with fresh state, after a while (`recheck`); the rest never.
	*/
	readonly waitable: 'always' | 'briefly' | 'recheck' | 'never';
};

/** How long a kick waits, each time, for an account's first usage reading. */
export const USAGE_WAIT_MS = 5000;

/** Whether an account is in the user's scheduler filter (an empty filter means every account). */
export function inFilter(settings: SchedulerSettings, accountId: string): boolean {
	return settings.accounts.length === 0 || settings.accounts.includes(accountId);
}

/** Whether the account's 5-hour window is running (started and not yet reset) at `at`. */
export function hasActiveFiveHourWindow(account: SchedulerAccount, at: number): boolean {
	if (account.fiveHour === undefined) {
		return false;
	}

	const {resetAt, usedPercent} = account.fiveHour;
	// Usage without a known reset time is a running window whose end we missed: never kick it.
	return resetAt === undefined ? usedPercent > 0 : resetAt > at;
}

/**
Why this account must not be kicked at `at`, or undefined when it may. Used when planning and again, with
fresh state, at the moment of every kick: marks, logins and windows change between the two. (Whether the
scheduler is on at all is the caller's business: the plan is shown while it is off.)
*/
export function kickBlocker(
	account: SchedulerAccount,
	at: number,
	settings: SchedulerSettings,
	lastAttempt: KickAttempt | undefined,
	retryAfterFailureMs: number,
): KickBlocker | undefined {
	if (!inFilter(settings, account.id)) {
		return {reason: 'not among the accounts the scheduler may kick', until: undefined, waitable: 'never'};
	}

	if (account.marks.evicted) {
		return {reason: 'evicted', until: undefined, waitable: 'never'};
	}

	if (account.marks.drained) {
		return {reason: 'drained', until: undefined, waitable: 'never'};
	}

	if (account.needsLogin) {
		return {reason: 'needs a fresh login', until: undefined, waitable: 'never'};
	}

	if (account.usageKnown === false) {
		// Waited out: the first usage reading is under way (it tells whether there is a 5-hour window at all).
		return {reason: 'its windows are not known yet', until: at + USAGE_WAIT_MS, waitable: 'recheck'};
	}

	const fiveHour = account.fiveHour;
	if (fiveHour === undefined) {
		return {
			reason: 'no 5-hour window (a kick cannot stagger what does not exist)',
			until: undefined,
			waitable: 'never',
		};
	}

	const weekly = account.weekly;
	const weeklyLimit = capPercent(account, 'weekly');
	if (weekly.usedPercent >= weeklyLimit && (weekly.resetAt === undefined || weekly.resetAt > at)) {
		const reason =
			weeklyLimit < 100 ? `its weekly window is at its cap (${weeklyLimit}%)` : 'its weekly quota is used up';
		return {reason, until: weekly.resetAt, waitable: 'never'};
	}

	if (isQuiet(settings.quietHours, at)) {
		const {start, end} = settings.quietHours!;
		// Not waited out: every kick due in the quiet hours would pile up at their end, all windows in step.
		return {
			reason: `quiet hours (${start}-${end})`,
			until: nextAllowed(settings.quietHours, at),
			waitable: 'never',
		};
	}

	if (account.coolingUntil !== undefined && account.coolingUntil > at) {
		return {reason: 'cooling down after an error', until: account.coolingUntil, waitable: 'always'};
	}

	if (hasActiveFiveHourWindow(account, at)) {
		return {
			reason: 'its 5-hour window is already running',
			until: fiveHour.resetAt,
			waitable: 'briefly',
		};
	}

	if (lastAttempt?.ok && at < lastAttempt.at + fiveHour.lengthMs) {
		// One kick per window: the state may not show the window our kick started yet.
		return {
			reason: 'already kicked in this window',
			until: lastAttempt.at + fiveHour.lengthMs,
			waitable: 'briefly',
		};
	}

	if (lastAttempt && !lastAttempt.ok && at < lastAttempt.at + retryAfterFailureMs) {
		return {
			reason: 'the last kick failed a moment ago',
			until: lastAttempt.at + retryAfterFailureMs,
			waitable: 'always',
		};
	}

	return undefined;
}
