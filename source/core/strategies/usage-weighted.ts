import {preferEarlierReset, usageOrder} from './codex-lb.ts';
import type {Strategy} from './types.ts';
import {candidatesFor} from './views.ts';

/**
codex-lb `usage_weighted`: among the accounts whose weekly reset falls on the earliest day, the minimum of
(weekly used, 5h used, last picked, id), with 2.5 points of pressure per running session. With none usable,
a new session takes the same rule over all accounts (it starts paused).
*/
export const usageWeighted: Strategy = {
	name: 'usage-weighted',
	description: 'codex-lb: the least-used account (weekly, then 5h), earliest weekly reset day first',
	pick(accounts, context) {
		const pool = preferEarlierReset(candidatesFor(accounts, context, true), context.now);
		return [...pool].sort(usageOrder(context.now))[0]?.id;
	},
};
