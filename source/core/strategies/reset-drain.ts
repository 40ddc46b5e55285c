import {pressuredUsage, weeklyResetDays} from './codex-lb.ts';
import type {Strategy} from './types.ts';
import {candidatesFor, minBy, reportedResetAt} from './views.ts';

/**
codex-lb `reset_drain`: minimum of (whole days to the weekly reset, −5h remaining, −weekly remaining, weekly
reset time, id): drain what resets soonest, the freshest 5-hour window first. Remaining percents include
2.5 points of pressure per running session. An idle weekly window resets a full window away (as the upstream
reports it). With none usable, a new session takes the same rule over all accounts (it starts paused).
*/
export const resetDrain: Strategy = {
	name: 'reset-drain',
	description: 'codex-lb: drain the account whose weekly quota resets soonest',
	pick(accounts, context) {
		const {now} = context;
		return minBy(candidatesFor(accounts, context, true), (account) => {
			const usage = pressuredUsage(account, now);
			return [
				weeklyResetDays(account, now),
				-(100 - usage.fiveHour),
				-(100 - usage.weekly),
				reportedResetAt(account.weekly, now),
			];
		})?.id;
	},
};
