import {notKicked} from './plan.ts';
import type {SchedulerAccount} from './types.ts';

/**
Besides the time and the settings, the plan depends on which accounts have had their usage read, which the
scheduler leaves alone (no 5-hour window, a window at its cap) and whose 5-hour window runs. When that changes
(the first usage reading, a 5-hour window that vanishes or comes back, a cap reached, a request starting an idle
window or a window ending) the plan is made again at once, not at the next periodic replan, so what it shows and
says is about the windows the accounts have now (a kick planned into a window a request just started is stale).
*/
function fiveHourState(account: SchedulerAccount): string {
	if (account.fiveHour === undefined) {
		return 'weekly-only';
	}

	return account.fiveHour.resetAt === undefined ? 'idle' : 'running';
}

export function replanWhenWindowsChange(options: {
	readonly accounts: () => readonly SchedulerAccount[];
	readonly now: () => number;
	/** Subscribes to every change of the pool; returns the unsubscribe function. */
	readonly onPoolChange: (listener: () => void) => () => void;
	readonly replan: () => void;
}): () => void {
	const shape = () => {
		const accounts = options.accounts();
		const alone = new Set(notKicked(accounts, options.now()).map((entry) => entry.accountId));
		return accounts
			.map(
				(account) =>
					`${account.id}:${account.usageKnown === false ? 'unread' : ''}:${fiveHourState(account)}:${alone.has(account.id) ? 'alone' : ''}`,
			)
			.join(',');
	};

	let last = shape();
	return options.onPoolChange(() => {
		const next = shape();
		if (next !== last) {
			last = next;
			options.replan();
		}
	});
}
