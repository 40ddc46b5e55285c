import type {KickPolicy} from './types.ts';

/** No scheduler: windows start only when work charges them. */
export const none: KickPolicy = {
	name: 'none',
	description: 'never kick: windows start when work first charges them',
	plan: () => [],
	nextCheck: () => Number.POSITIVE_INFINITY,
};
