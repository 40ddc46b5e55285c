import {capacityWeighted} from './capacity-weighted.ts';
import {fillFirst} from './fill-first.ts';
import {greedyDuration} from './greedy-duration.ts';
import {greedyFrequency} from './greedy-frequency.ts';
import {canonicalStrategyName} from './names.ts';
import {phaseFit} from './phase-fit.ts';
import {phaseTargeting} from './phase-targeting.ts';
import {random} from './random.ts';
import {relativeAvailability} from './relative-availability.ts';
import {resetDrain} from './reset-drain.ts';
import {resetSoonest} from './reset-soonest.ts';
import {roundRobin} from './round-robin.ts';
import {sequential} from './sequential.ts';
import {sequentialDrain} from './sequential-drain.ts';
import type {Strategy} from './types.ts';
import {usageWeighted} from './usage-weighted.ts';

/** Every strategy by name, in the order `codexpool strategy` and the simulator list them. */
export const strategies: Readonly<Record<string, Strategy>> = Object.freeze(
	Object.fromEntries(
		[
			phaseFit,
			random,
			roundRobin,
			capacityWeighted,
			usageWeighted,
			relativeAvailability,
			fillFirst,
			sequentialDrain,
			resetDrain,
			resetSoonest,
			greedyFrequency,
			greedyDuration,
			phaseTargeting,
			sequential,
		].map((strategy) => [strategy.name, strategy]),
	),
);

/** The names of all strategies, in registry order. */
export const strategyNames: readonly string[] = Object.freeze(Object.keys(strategies));

export {canonicalStrategyName, DEFAULT_STRATEGY, strategyAliases} from './names.ts';

/** The strategy called `name` (or a former name of it); throws an Error listing the valid names for an unknown one. */
export function getStrategy(name: string): Strategy {
	const current = canonicalStrategyName(name);
	const strategy = Object.hasOwn(strategies, current) ? strategies[current] : undefined;
	if (strategy === undefined) {
		throw new Error(`Unknown strategy "${name}". Valid strategies: ${strategyNames.join(', ')}.`);
	}

	return strategy;
}
