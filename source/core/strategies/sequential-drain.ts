import type {Strategy} from './types.ts';
import {candidatesFor, minBy, planCapacity} from './views.ts';

/**
codex-lb `sequential_drain`: the smallest plan first, then a stable hash of the account id (the user cannot
choose the order; `sequential` is the strategy where they can). With none usable, a new session takes the
first account of that order among all (it starts paused).
*/
export const sequentialDrain: Strategy = {
	name: 'sequential-drain',
	description: 'codex-lb: drain accounts one by one, smallest plan first, in a fixed hashed order',
	pick(accounts, context) {
		return minBy(candidatesFor(accounts, context, true), (account) => [
			planCapacity(account.plan),
			stableHash(account.id),
		])?.id;
	},
};

/** FNV-1a (32 bit) of the id's UTF-16 code units: the same order on every run and machine. */
export function stableHash(id: string): number {
	let hash = 0x811c9dc5;
	for (let i = 0; i < id.length; i++) {
		hash ^= id.charCodeAt(i);
		hash = Math.imul(hash, 0x01000193) >>> 0;
	}

	return hash;
}
