import type {Strategy} from './types.ts';
import {candidatesFor, lastPickedKey, minBy, usableQuota} from './views.ts';

/**
The scheduling post's `greedy-frequency`: the account with the largest usable quota now,
min(F·free 5h, W·free weekly) with the model's F = 0.12 and W = 1 (an idle window counts as full): the
fewest interruptions for the next session. Ties (e.g. several fresh accounts): least recently picked, then
id, so equal accounts share the load. With none usable, a new session takes the same rule over all accounts
(all at zero, so the least recently picked; it starts paused).
*/
export const greedyFrequency: Strategy = {
	name: 'greedy-frequency',
	description: 'Scheduling post: the account with the most usable quota right now',
	pick(accounts, context) {
		return minBy(candidatesFor(accounts, context, true), (account) => [
			-usableQuota(account, context.now),
			lastPickedKey(account),
		])?.id;
	},
};
