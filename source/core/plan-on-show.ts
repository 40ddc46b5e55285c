import type {AccountSnapshot, PlannedKick, SchedulerSnapshot} from './contract.ts';
import type {SchedulerPlan} from './model.ts';
import {AFTER_RESET_MS, RESET_GRACE_MS} from './scheduler/placement.ts';

/**
The scheduler's plan as the snapshot shows it. Off, there is no plan to show (the scheduler keeps one to
answer at once when turned on, but nothing of it will happen). On, each kick is checked against the
accounts as they are now: the plan is made at the scheduler's checks (every few minutes), and a request in
between may start a window the plan took for idle. A kick inside a running window waits for the reset when
that is due within the scheduler's grace, as the kick itself would, and is left out otherwise: the
scheduler drops it at its next check.
*/
export function planOnShow(plan: SchedulerPlan, accounts: readonly AccountSnapshot[]): SchedulerSnapshot {
	if (!plan.enabled) {
		return {...plan, nextKicks: []};
	}

	const byId = new Map(accounts.map((account) => [account.id, account]));
	const kicks: PlannedKick[] = [];
	for (const kick of plan.nextKicks) {
		const resetAt = runningUntil(byId.get(kick.accountId), kick.at);
		if (resetAt === undefined) {
			kicks.push(kick);
		} else if (resetAt !== null && resetAt - kick.at <= RESET_GRACE_MS) {
			kicks.push({...kick, at: resetAt + AFTER_RESET_MS});
		}
	}

	return {...plan, nextKicks: kicks.sort((a, b) => a.at - b.at || (a.accountId < b.accountId ? -1 : 1))};
}

/**
When the account's 5-hour window, running at `at`, resets: undefined when it is not running then, null when
it runs without a known reset (usage with no reset time: a window whose end was missed).
*/
function runningUntil(account: AccountSnapshot | undefined, at: number): number | null | undefined {
	const window = account?.fiveHour;
	if (window === undefined) {
		return undefined;
	}

	if (window.resetAt === undefined) {
		return window.usedPercent > 0 ? null : undefined;
	}

	return window.resetAt > at ? window.resetAt : undefined;
}
