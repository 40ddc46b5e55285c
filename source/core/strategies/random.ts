import type {Strategy} from './types.ts';
import {candidatesFor, uniformPick} from './views.ts';

/**
Baseline: a uniform pick among the usable accounts. With none usable, a new session still gets a uniform
pick over all accounts (it starts paused there), as the model's baselines do.
*/
export const random: Strategy = {
	name: 'random',
	description: 'Baseline: a uniformly random usable account',
	pick(accounts, context) {
		return uniformPick(candidatesFor(accounts, context, true), context.random)?.id;
	},
};
