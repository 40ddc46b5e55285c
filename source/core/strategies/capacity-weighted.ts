import {preferEarlierReset, remainingWeeklyCredits, usageOrder} from './codex-lb.ts';
import type {Strategy} from './types.ts';
import {candidatesFor, weightedPick} from './views.ts';

/**
codex-lb's default `capacity_weighted`: among the accounts whose weekly reset falls on the earliest day, a
random pick weighted by remaining weekly credits (plan capacity × (1 − weekly used/100), 2.5 points of
pressure per running session). When every weight is 0 it falls back to the usage-weighted order, as
codex-lb does. With none usable, a new session takes the same rule over all accounts (it starts paused).
*/
export const capacityWeighted: Strategy = {
	name: 'capacity-weighted',
	description: "codex-lb's default: random, weighted by remaining weekly credits",
	pick(accounts, context) {
		const pool = preferEarlierReset(candidatesFor(accounts, context, true), context.now);
		const weights = pool.map((account) => remainingWeeklyCredits(account, context.now));
		const chosen = weightedPick(pool, weights, context.random);
		return (chosen ?? [...pool].sort(usageOrder(context.now))[0])?.id;
	},
};
