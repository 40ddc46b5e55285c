import {canonicalKickPolicyName} from './names.ts';
import {none} from './none.ts';
import {rotateRestart} from './rotate-restart.ts';
import {stagger} from './stagger.ts';
import type {KickPolicy} from './types.ts';

export type {KickOptions, KickPolicy} from './types.ts';

/** Every kick policy by name: the simulator's `--scheduler` values and the live scheduler's policies. */
export const kickPolicies: Readonly<Record<string, KickPolicy>> = Object.freeze(
	Object.fromEntries([none, stagger, rotateRestart].map((policy) => [policy.name, policy])),
);

export const kickPolicyNames: readonly string[] = Object.freeze(Object.keys(kickPolicies));

export {canonicalKickPolicyName, DEFAULT_KICK_POLICY, kickPolicyAliases} from './names.ts';

/** The kick policy called `name` (or a former name of it); throws an Error listing the valid names for an unknown one. */
export function getKickPolicy(name: string): KickPolicy {
	const current = canonicalKickPolicyName(name);
	const policy = Object.hasOwn(kickPolicies, current) ? kickPolicies[current] : undefined;
	if (policy === undefined) {
		throw new Error(`Unknown kick policy "${name}". Valid policies: ${kickPolicyNames.join(', ')}.`);
	}

	return policy;
}
