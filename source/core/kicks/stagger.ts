import {nextRotationTick, rotation} from './rotation.ts';
import type {KickOptions, KickPolicy} from './types.ts';

export {kickable} from './rotation.ts';

/**
The model's reference scheduler: ticks at `origin + j · 5 h / N`; tick `j` targets account `j mod N` (in the
order given) and kicks it only if its five-hour window is idle and its weekly quota is not exhausted.
*/
export const stagger: KickPolicy = {
	name: 'stagger',
	description: 'every 5 h / N, kick the next account in rotation if its 5-hour window is idle',
	plan(accounts, now, options?: KickOptions) {
		const {due, forecast} = rotation(accounts, now, options, 'stagger tick');
		return [...due, ...forecast];
	},
	nextCheck: (accounts, now, options?: KickOptions) => nextRotationTick(accounts, now, options),
};
