import type {KickPolicy} from '../kicks/types.ts';
import type {StrategyOptions} from '../model.ts';
import type {AccountView, PickContext} from '../strategies/types.ts';
import type {SimParams} from './model.ts';

/*
What one run of the simulator is given (`run.ts` runs it): the model's parameters, the strategy and kick
policy under test, and the optional hooks of tests and analyses.
*/

/** How the simulator asks for an account: the strategy behind the selection layer. */
export type Chooser = (accounts: readonly AccountView[], context: PickContext) => string | undefined;

export type RunSetup = {
	readonly params: SimParams;
	/** Seed of the run: the workload stream is (seed, 0), the strategy's stream (seed, 1). */
	readonly seed: number;
	readonly choose: Chooser;
	readonly kicks: KickPolicy;
	readonly strategyOptions?: StrategyOptions | undefined;
	/**
	The strategy's answer depends only on the accounts and the time (not on `previous`, not on its random
	stream), so once it answers "none" to a queued session, it answers "none" to every other one until
	something changes: the queue pass may stop asking. Exact, and it saves most calls in a backlog.
	*/
	readonly stateOnly?: boolean | undefined;
	/** Scripted sessions instead of the model's random stream (tests); rho, mean and scenario are then unused. */
	readonly sessions?: readonly {readonly at: number; readonly size: number}[] | undefined;
	/**
	Told of every pause when it ends (or is cut at the horizon), with the weekly quota the whole pool had
	left when it began: the analysis of where wait comes from (bench/weekly-crunch.ts). Costs nothing unset.
	*/
	readonly observePause?: ((pause: PauseRecord) => void) | undefined;
};

export type PauseRecord = {
	/** Hours since the start of the run. */
	readonly startedAt: number;
	readonly hours: number;
	/** Σ over accounts of the weekly quota left (weekly-quota units) at the pause's start. */
	readonly poolWeeklyLeft: number;
};
