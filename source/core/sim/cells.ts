import {getKickPolicy} from '../kicks/index.ts';
import {getStrategy} from '../strategies/index.ts';
import {DEFAULT_STRATEGY} from '../strategies/names.ts';
import {select} from '../strategies/select.ts';
import type {AccountView, PickContext} from '../strategies/types.ts';
import type {PoolKind, Scenario, SimCaps} from './model.ts';
import {simulateRun} from './run.ts';
import {type Estimate, estimate} from './stats.ts';

/** One cell of a comparison: a strategy, movement and scheduler on one setting, over `runs` seeds. */
export type CellSpec = {
	readonly strategy: string;
	readonly movement: 'on' | 'off';
	readonly scheduler: string;
	readonly scenario: Scenario;
	readonly rho: number;
	readonly mean: number;
	readonly accounts: number;
	readonly days: number;
	readonly runs: number;
	/** Runs use seeds `seed .. seed + runs - 1`. */
	readonly seed: number;
	/** Which windows the accounts have (default `standard`). */
	readonly pool?: PoolKind | undefined;
	/** Caps on every account (default none). */
	readonly caps?: SimCaps | undefined;
	/** Caps per account by index, over `caps`. */
	readonly accountCaps?: readonly (SimCaps | undefined)[] | undefined;
};

/** A cap as the simulator's options and tables write it: `90` (both windows), `90/80` (5-hour/weekly). */
export function capLabel(caps: SimCaps | undefined): string {
	if (caps === undefined || (caps.fiveHour === undefined && caps.weekly === undefined)) {
		return 'none';
	}

	if (caps.fiveHour === caps.weekly) {
		return String(caps.fiveHour);
	}

	return `${caps.fiveHour ?? 100}/${caps.weekly ?? 100}`;
}

/** The caps a `capLabel` names (for results read back from JSON); `none` or an unreadable label: none. */
export function capsFromLabel(label: string | undefined): SimCaps | undefined {
	const parts = (label ?? 'none').split('/').map(Number);
	if (parts.some((part) => !Number.isFinite(part))) {
		return undefined;
	}

	return parts.length === 1 ? {fiveHour: parts[0], weekly: parts[0]} : {fiveHour: parts[0], weekly: parts[1]};
}

/**
Strategies whose answer depends only on the accounts and the time (they read neither `previous` nor their
random stream), so the simulator may stop offering a queue once they answer "none" (see RunSetup).
*/
const STATE_ONLY = new Set([DEFAULT_STRATEGY]);

/** The metrics of a run, in this order, as workers send them back. */
export const METRICS = ['interruptions', 'waitHours', 'moves', 'p95PauseHours', 'wastedShare'] as const;
export type Metric = (typeof METRICS)[number];
/** Per run: the five metrics, then work served, then sessions. */
export const VALUES_PER_RUN = METRICS.length + 2;

/** A cell's result, in the shape of `codexpool simulate --json`. */
export type CellResult = CellSpec & Record<Metric, Estimate>;

/**
Run seeds `from .. to - 1` (offsets into the cell's seeds) of one cell; returns VALUES_PER_RUN numbers per
run. Strategies are called through the selection layer (no marks in the simulator).
*/
export function runCellRange(cell: CellSpec, from: number, to: number): Float64Array {
	const strategy = getStrategy(cell.strategy);
	const kicks = getKickPolicy(cell.scheduler);
	const choose = (accounts: readonly AccountView[], context: PickContext) =>
		select(strategy, accounts, context);
	const params = {
		accounts: cell.accounts,
		days: cell.days,
		rho: cell.rho,
		mean: cell.mean,
		scenario: cell.scenario,
		movement: cell.movement === 'on',
		pool: cell.pool,
		caps: cell.caps,
		accountCaps: cell.accountCaps,
	};
	const out = new Float64Array((to - from) * VALUES_PER_RUN);
	for (let run = from; run < to; run++) {
		const result = simulateRun({
			params,
			seed: cell.seed + run,
			choose,
			kicks,
			// greedy-duration reasons with the mean session size; the simulator tells it the cell's.
			strategyOptions: {meanSessionSize: cell.mean},
			stateOnly: STATE_ONLY.has(cell.strategy),
		});
		const at = (run - from) * VALUES_PER_RUN;
		METRICS.forEach((metric, index) => {
			out[at + index] = result[metric];
		});
		out[at + METRICS.length] = result.served;
		out[at + METRICS.length + 1] = result.sessions;
	}

	return out;
}

/** One metric of the first `runs` runs of a cell's per-run values. */
export function metricColumn(values: Float64Array, metric: Metric, runs: number): Float64Array {
	const index = METRICS.indexOf(metric);
	const out = new Float64Array(runs);
	for (let run = 0; run < runs; run++) out[run] = values[run * VALUES_PER_RUN + index]!;
	return out;
}

/** Summarise a cell's per-run values (VALUES_PER_RUN per run, in seed order). */
export function summarise(cell: CellSpec, values: Float64Array): CellResult & {sessions: number} {
	const runs = values.length / VALUES_PER_RUN;
	const column = (index: number) => {
		const out = new Float64Array(runs);
		for (let run = 0; run < runs; run++) out[run] = values[run * VALUES_PER_RUN + index]!;
		return out;
	};

	const metrics = Object.fromEntries(
		METRICS.map((metric, index) => [metric, estimate(column(index))]),
	) as Record<Metric, Estimate>;
	let sessions = 0;
	for (const value of column(METRICS.length + 1)) sessions += value;
	return {...cell, ...metrics, sessions};
}
