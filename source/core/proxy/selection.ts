import type {StrategyOptions} from '../model.ts';
import {getStrategy} from '../strategies/index.ts';
import {select} from '../strategies/select.ts';
import type {AccountView, PickContext} from '../strategies/types.ts';

/**
The selection layer as the engine calls it: the accounts the pool offers (already without the ones this
request has tried) and the pick's context, to the chosen id or undefined ("none usable").
*/
export type Selector = (accounts: readonly AccountView[], context: PickContext) => string | undefined;

/**
The registry's strategy behind the selection layer (marks applied). `strategyName` is read on every pick,
so a change of strategy applies to the next request.
*/
export function strategySelector(strategyName: () => string): Selector {
	return (accounts, context) => select(getStrategy(strategyName()), accounts, context);
}

/** Options for the strategy, read on every pick so a change applies at once. */
export type StrategyOptionsSource = () => StrategyOptions | undefined;
