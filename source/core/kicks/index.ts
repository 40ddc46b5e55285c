import {none} from './none.ts';
import {ours} from './ours.ts';
import {stagger} from './stagger.ts';
import type {KickPolicy} from './types.ts';

export type {KickOptions, KickPolicy} from './types.ts';

/** Every kick policy by name: the simulator's `--scheduler` values and the live scheduler's policies. */
export const kickPolicies: Readonly<Record<string, KickPolicy>> = Object.freeze(
	Object.fromEntries([none, stagger, ours].map((policy) => [policy.name, policy])),
);

export const kickPolicyNames: readonly string[] = Object.freeze(Object.keys(kickPolicies));

/** The policy the live scheduler runs unless the user chooses another. */
export const DEFAULT_KICK_POLICY = 'ours';

/** The kick policy called `name`; throws an Error listing the valid names for an unknown one. */
export function getKickPolicy(name: string): KickPolicy {
	const policy = Object.hasOwn(kickPolicies, name) ? kickPolicies[name] : undefined;
	if (policy === undefined) {
		throw new Error(`Unknown kick policy "${name}". Valid policies: ${kickPolicyNames.join(', ')}.`);
	}

	return policy;
}
