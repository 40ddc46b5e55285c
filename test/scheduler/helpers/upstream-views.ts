import {HOUR} from '../../../source/core/clock.ts';
import {noMarks} from '../../../source/core/model.ts';
import type {SchedulerAccount} from '../../../source/core/scheduler/types.ts';
import type {SimulatedUpstream} from '../../../source/core/simulated-backend/index.ts';

/**
The scheduler's view of the simulated upstream's accounts, read straight from its quota (as a usage poll
would report it): an idle window has no reset time.
*/
export function upstreamAccounts(
	upstream: SimulatedUpstream,
	overrides: Readonly<Record<string, Partial<SchedulerAccount>>> = {},
): SchedulerAccount[] {
	return upstream.accounts.list().map((account) => {
		const quota = upstream.accounts.quota(account.name);
		const five = quota.fiveHour;
		return {
			id: account.accountId,
			name: account.name,
			plan: 'plus',
			fiveHour: {
				usedPercent: five?.isIdle ? 0 : (five?.usedPercent ?? 0),
				resetAt: five && !five.isIdle ? five.resetAt * 1000 : undefined,
				lengthMs: 5 * HOUR,
			},
			weekly: {
				usedPercent: quota.weekly.isIdle ? 0 : quota.weekly.usedPercent,
				resetAt: quota.weekly.isIdle ? undefined : quota.weekly.resetAt * 1000,
				lengthMs: 168 * HOUR,
			},
			running: 0,
			lastPickedAt: undefined,
			marks: noMarks,
			coolingUntil: undefined,
			needsLogin: false,
			...overrides[account.name],
		};
	});
}
