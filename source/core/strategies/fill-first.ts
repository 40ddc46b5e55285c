import {preferEarlierReset, pressuredUsage} from './codex-lb.ts';
import type {Strategy} from './types.ts';
import {candidatesFor, minBy} from './views.ts';

/**
codex-lb `fill_first`: among the accounts whose weekly reset falls on the earliest day, the most-used one:
minimum of (−5h used, −weekly used, id), 2.5 points of pressure per running session. With none usable, a new
session takes the same rule over all accounts (it starts paused).
*/
export const fillFirst: Strategy = {
	name: 'fill-first',
	description: 'codex-lb: the most-used usable account (5h, then weekly) until it runs out',
	pick(accounts, context) {
		const pool = preferEarlierReset(candidatesFor(accounts, context, true), context.now);
		return minBy(pool, (account) => {
			const usage = pressuredUsage(account, context.now);
			return [-usage.fiveHour, -usage.weekly];
		})?.id;
	},
};
