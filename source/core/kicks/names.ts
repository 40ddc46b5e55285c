/** The policy the live scheduler runs unless the user chooses another. */
export const DEFAULT_KICK_POLICY = 'rotate-restart';

/**
Former names, still accepted wherever a kick policy is named: the command line, the settings saved in a
store, the admin API, `simulate`'s flags. `ours` said whose it was, not what it does.
*/
export const kickPolicyAliases: Readonly<Record<string, string>> = Object.freeze({ours: 'rotate-restart'});

/** The policy's current name for `name` (an alias becomes the name it stands for; others pass through). */
export function canonicalKickPolicyName(name: string): string {
	return Object.hasOwn(kickPolicyAliases, name) ? kickPolicyAliases[name]! : name;
}
