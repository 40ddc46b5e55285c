/** The strategy used when the user chose none: phase-fit (see phase-fit.ts and `codexpool simulate`). */
export const DEFAULT_STRATEGY = 'phase-fit';

/**
Former names, still accepted wherever a strategy is named: the command line, the settings saved in a store,
the admin API, `simulate`'s flags. `ours` said whose it was, not what it does.
*/
export const strategyAliases: Readonly<Record<string, string>> = Object.freeze({ours: 'phase-fit'});

/** The strategy's current name for `name` (an alias becomes the name it stands for; others pass through). */
export function canonicalStrategyName(name: string): string {
	return Object.hasOwn(strategyAliases, name) ? strategyAliases[name]! : name;
}
