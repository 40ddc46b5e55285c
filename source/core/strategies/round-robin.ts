import type {Strategy} from './types.ts';
import {candidatesFor, lastPickedKey, minBy} from './views.ts';

/**
Baseline (also codex-lb's `round_robin`): the least recently picked usable account, never-picked first, then
the account id. With none usable, a new session takes the least recently picked of all (it starts paused).
*/
export const roundRobin: Strategy = {
	name: 'round-robin',
	description: 'Baseline: the least recently picked usable account',
	pick(accounts, context) {
		return minBy(candidatesFor(accounts, context, true), (account) => [lastPickedKey(account)])?.id;
	},
};
