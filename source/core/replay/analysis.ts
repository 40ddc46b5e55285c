import {getKickPolicy} from '../kicks/index.ts';
import {getStrategy} from '../strategies/index.ts';
import {select} from '../strategies/select.ts';
import type {AccountView, PickContext} from '../strategies/types.ts';
import type {Collected} from './collected.ts';
import {type CostModel, fitCostModel, type PlanCost, requestCost} from './cost-model.ts';
import {type ReplayResult, replayRun} from './engine.ts';
import {buildTrace, type HistorySummary, resolveHits, summarise, type Trace} from './trace.ts';

export type AnalysisOptions = {
	/** Pool sizes to try, e.g. [1, 2, 3, 4, 5, 6]. */
	readonly accounts: readonly number[];
	/** Plans to build pools from (every mix of them is tried); the first is also the plan of an account nothing named. */
	readonly plans: readonly string[];
	readonly strategies: readonly string[];
	/** The strategy the recommendation is for (our default). */
	readonly recommendStrategy: string;
	readonly movement: boolean;
	readonly scheduler: string;
};

export type WhatIf = {
	readonly accounts: number;
	readonly plans: readonly string[];
	readonly strategy: string;
	readonly movement: 'on' | 'off';
	readonly scheduler: string;
	readonly interruptions: number;
	readonly waitHours: number;
	readonly p95PauseHours: number;
	readonly wastedShare: number;
	readonly moves: number;
};

export type SelfCheck = {
	readonly replayedLimitHits: number;
	readonly replayedWaitHours: number;
	readonly withinTolerance: boolean;
};

export type Analysis = {
	readonly history: HistorySummary;
	readonly trace: Trace;
	readonly planOf: (account: string) => string;
	readonly costModel: CostModel;
	readonly selfCheck: SelfCheck;
	/** Hours the replayed recorded setup waited, per day from the history's first day. */
	readonly selfCheckWaitByDay: readonly number[];
	readonly whatIf: readonly WhatIf[];
	readonly recommended: WhatIf | undefined;
	/** The best pool with one account fewer than the recommended one, for comparison. */
	readonly oneFewer: WhatIf | undefined;
	readonly recommendedWaitByDay: readonly number[];
};

/**
The self-check's tolerance: the replay of the recorded setup is trusted when its limit hits are within
max(1, 25%) of the recorded ones and its waiting within max(0.5 h, 25%). Windows that were already in use when
the history starts, and users who came back later than the reset, are what it cannot know.
*/
export const TOLERANCE = {hits: {absolute: 1, relative: 0.25}, waitHours: {absolute: 0.5, relative: 0.25}};

/** Monthly price in USD, used only to order pools from cheap to dear (a guess for plans not listed). */
const PLAN_PRICE: Record<string, number> = {
	free: 0,
	go: 8,
	plus: 20,
	edu: 20,
	team: 30,
	business: 30,
	pro: 200,
};
const priceOf = (plans: readonly string[]) => plans.reduce((sum, plan) => sum + (PLAN_PRICE[plan] ?? 20), 0);

const DAY = 86_400_000;

const within = (replayed: number, recorded: number, rule: {absolute: number; relative: number}) =>
	Math.abs(replayed - recorded) <= Math.max(rule.absolute, rule.relative * recorded);

/** Every multiset of `size` plans from `plans` (a pool's mix), cheapest-first order kept stable. */
export function planMixes(plans: readonly string[], size: number): string[][] {
	if (size === 0) return [[]];
	if (plans.length === 0) return [];
	const [first, ...rest] = plans as [string, ...string[]];
	const mixes: string[][] = [];
	for (let count = size; count >= 0; count--) {
		for (const tail of planMixes(rest, size - count))
			mixes.push([...new Array<string>(count).fill(first), ...tail]);
	}

	return mixes;
}

export function analyse(collected: Collected, options: AnalysisOptions): Analysis {
	const hits = resolveHits(collected);
	const history = summarise(collected, hits);
	const trace = buildTrace(collected, hits, history);
	const defaultPlan = options.plans[0] ?? 'plus';
	const weeklyOnly = weeklyOnlyAccounts(collected);
	// A plan nothing named: an account that only ever reported a weekly window is on a weekly-only plan (free).
	const planOf = (account: string) =>
		collected.plans.get(account) ?? (weeklyOnly.has(account) ? 'free' : defaultPlan);
	const costModel = fitCostModel(collected, planOf);
	const days = history.from === undefined ? 0 : Math.floor((trace.to - trace.from) / DAY) + 1;
	const byDay = () => new Array<number>(days).fill(0);
	const dayOf = (at: number) => Math.min(days - 1, Math.max(0, Math.floor((at - trace.from) / DAY)));

	const recordedWait = byDay();
	const recordedRun = replayRun({
		trace,
		accounts: trace.accounts.map((id) => ({plan: planOf(id), cost: costModel.costOf(planOf(id))})),
		mode: {kind: 'recorded'},
		observePause(startedAt, hours) {
			recordedWait[dayOf(startedAt)]! += hours;
		},
	});
	const selfCheck = {
		replayedLimitHits: recordedRun.interruptions,
		replayedWaitHours: recordedRun.waitHours,
		withinTolerance:
			within(recordedRun.interruptions, history.recordedLimitHits, TOLERANCE.hits) &&
			within(recordedRun.waitHours, history.recordedWaitHours, TOLERANCE.waitHours),
	};

	const meanSessionSize = meanSessionWeekly(trace, costModel.costOf(defaultPlan));
	const whatIf: WhatIf[] = [];
	const waitByDay = new Map<WhatIf, number[]>();
	for (const size of options.accounts) {
		for (const plans of planMixes(options.plans, size)) {
			for (const name of options.strategies) {
				const perDay = byDay();
				const result = runPool(trace, costModel, plans, name, options, meanSessionSize, (at, hours) => {
					perDay[dayOf(at)]! += hours;
				});
				const row: WhatIf = {
					accounts: size,
					plans,
					strategy: name,
					movement: options.movement ? 'on' : 'off',
					scheduler: options.scheduler,
					interruptions: result.interruptions,
					waitHours: result.waitHours,
					p95PauseHours: result.p95PauseHours,
					wastedShare: result.wastedShare,
					moves: result.moves,
				};
				whatIf.push(row);
				waitByDay.set(row, perDay);
			}
		}
	}

	const {recommended, oneFewer} = recommend(whatIf, options.recommendStrategy);
	return {
		history,
		trace,
		planOf,
		costModel,
		selfCheck,
		selfCheckWaitByDay: recordedWait,
		whatIf,
		recommended,
		oneFewer,
		recommendedWaitByDay: (recommended && waitByDay.get(recommended)) ?? byDay(),
	};
}

/** Accounts whose readings show a weekly window and never a 5-hour one. */
function weeklyOnlyAccounts(collected: Collected): Set<string> {
	const fiveHour = new Set<string>();
	const weekly = new Set<string>();
	const {readings} = collected;
	for (let r = 0; r < readings.length; r++) {
		const account = readings.accounts.list[readings.account[r]!]!;
		if (!Number.isNaN(readings.fiveHour[r]!)) fiveHour.add(account);
		if (!Number.isNaN(readings.weekly[r]!)) weekly.add(account);
	}

	return new Set([...weekly].filter((account) => !fiveHour.has(account)));
}

function runPool(
	trace: Trace,
	costModel: CostModel,
	plans: readonly string[],
	strategyName: string,
	options: AnalysisOptions,
	meanSessionSize: number,
	observePause: (at: number, hours: number) => void,
): ReplayResult {
	const strategy = getStrategy(strategyName);
	const choose = (accounts: readonly AccountView[], context: PickContext) =>
		select(strategy, accounts, context);
	return replayRun({
		trace,
		accounts: plans.map((plan) => ({plan, cost: costModel.costOf(plan)})),
		mode: {
			kind: 'pool',
			choose,
			movement: options.movement,
			kicks: getKickPolicy(options.scheduler),
			strategyOptions: {meanSessionSize},
		},
		observePause,
	});
}

/** The mean session's weekly cost, in weekly quotas (what `greedy-duration` and `ours` reason with). */
function meanSessionWeekly(trace: Trace, cost: PlanCost): number {
	if (trace.sessionCount === 0) return 0.02;
	let total = 0;
	for (let r = 0; r < trace.at.length; r++) {
		total += requestCost(cost, trace.uncached[r]!, trace.cached[r]!, trace.output[r]!)[1];
	}

	return Math.max(1e-6, total / 100 / trace.sessionCount);
}

/**
The cheapest pool with no interruption under the recommended strategy (fewer accounts first at equal price);
when none has none, the one with the least waiting. `oneFewer` is the best pool one account smaller.
*/
export function recommend(
	whatIf: readonly WhatIf[],
	strategy: string,
): {recommended: WhatIf | undefined; oneFewer: WhatIf | undefined} {
	const rows = whatIf
		.filter((row) => row.strategy === strategy)
		.sort((a, b) => priceOf(a.plans) - priceOf(b.plans) || a.accounts - b.accounts);
	const recommended =
		rows.find((row) => row.interruptions === 0) ??
		[...rows].sort((a, b) => a.waitHours - b.waitHours || a.interruptions - b.interruptions)[0];
	const smaller = rows.filter(
		(row) => recommended !== undefined && row.accounts === recommended.accounts - 1,
	);
	const oneFewer = [...smaller].sort(
		(a, b) => a.waitHours - b.waitHours || a.interruptions - b.interruptions,
	)[0];
	return {recommended, oneFewer};
}
