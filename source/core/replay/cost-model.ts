import {planCapacity} from '../strategies/views.ts';
import type {Collected} from './collected.ts';
import {fitWindow, type WindowFit, type WindowRows} from './cost-fit.ts';
import type {WindowCost} from './types.ts';

export type {WindowCost} from './types.ts';

/** One plan's cost: each window's per-token cost (undefined: the plan has no such window), and where it came from. */
export type PlanCost = {
	readonly fiveHour: WindowCost | undefined;
	readonly weekly: WindowCost;
	/** `readings`: fitted from this plan's rate-limit readings; `scaled`: another plan's fit scaled by capacity; `default`. */
	readonly source: 'readings' | 'scaled' | 'default';
	readonly fit: {readonly fiveHour: WindowFit | undefined; readonly weekly: WindowFit | undefined};
};

export type CostModel = {
	readonly plans: ReadonlyMap<string, PlanCost>;
	/** What a plan not in `plans` costs (derived from the fitted plans, or the defaults). */
	readonly costOf: (plan: string) => PlanCost;
};

/**
The documented defaults, used when no reading is available: a Plus week holds 30 million input-equivalent tokens,
where a cached input token counts 0.1 and an output token 8 (the ratios of OpenAI's API prices for the Codex
models: $1.25, $0.125 and $10 per million); the 5-hour window holds 12% of the week (the simulation model's F);
other plans scale by codex-lb's plan capacities (pro 6.67× plus, free 0.15×; free has only a weekly window).
These are assumptions, not measurements, and replay says so whenever it uses them.
*/
export const DEFAULT_PLUS_WEEKLY_TOKENS = 30_000_000;
export const DEFAULT_WEIGHTS = {uncachedInput: 1, cachedInput: 0.1, output: 8} as const;
export const DEFAULT_FIVE_HOUR_SHARE = 0.12;

const scale = (cost: WindowCost, factor: number): WindowCost => ({
	uncachedInput: cost.uncachedInput * factor,
	cachedInput: cost.cachedInput * factor,
	output: cost.output * factor,
});

export function defaultPlanCost(plan: string): PlanCost {
	const perToken = 100 / DEFAULT_PLUS_WEEKLY_TOKENS;
	const weekly = scale(DEFAULT_WEIGHTS, (perToken * planCapacity('plus')) / planCapacity(plan));
	return {
		fiveHour: plan === 'free' ? undefined : scale(weekly, 1 / DEFAULT_FIVE_HOUR_SHARE),
		weekly,
		source: 'default',
		fit: {fiveHour: undefined, weekly: undefined},
	};
}

/** Percent of each window one request costs on a plan: [five-hour, weekly]. */
export function requestCost(
	cost: PlanCost,
	uncached: number,
	cached: number,
	output: number,
): [number, number] {
	const of = (window: WindowCost | undefined) =>
		window === undefined
			? 0
			: window.uncachedInput * uncached + window.cachedInput * cached + window.output * output;
	return [of(cost.fiveHour), of(cost.weekly)];
}

/**
Fits the cost model from the recorded readings. On each account's timeline (every file of that account merged
by time), two consecutive readings of the same window instance (same reset time) bracket the requests charged
between them: their tokens by kind against the rise in used percent is one row; a plan's rows are fitted by
non-negative least squares. `planOf` names each account's plan (`defaultPlan` where nothing did).
*/
export function fitCostModel(collected: Collected, planOf: (account: string) => string): CostModel {
	const rows = new Map<string, {fiveHour: WindowRows; weekly: WindowRows; sawFiveHour: boolean}>();
	const rowsOf = (plan: string) => {
		let entry = rows.get(plan);
		if (entry === undefined) {
			entry = {fiveHour: [], weekly: [], sawFiveHour: false};
			rows.set(plan, entry);
		}

		return entry;
	};

	// Each account's timeline as indices into the columns, sorted by time: a reading sorts before a request at
	// the same time (it shows the quota before that moment's charge). Readings are coded as -1 - index.
	const {requests, readings} = collected;
	const byAccount = new Map<string, number[]>();
	const add = (account: string, code: number) => {
		let list = byAccount.get(account);
		if (list === undefined) {
			list = [];
			byAccount.set(account, list);
		}

		list.push(code);
	};

	for (let r = 0; r < requests.length; r++) add(requests.accounts.list[requests.account[r]!]!, r);
	for (let r = 0; r < readings.length; r++) add(readings.accounts.list[readings.account[r]!]!, -1 - r);
	const timeOf = (code: number) => (code >= 0 ? requests.at[code]! : readings.at[-1 - code]!);
	for (const [account, list] of byAccount) {
		const events = Int32Array.from(list).sort(
			(a, b) => timeOf(a) - timeOf(b) || (a < 0 ? -1 : 0) - (b < 0 ? -1 : 0),
		);
		const plan = rowsOf(planOf(account));
		plan.sawFiveHour ||= events.some((code) => code < 0 && !Number.isNaN(readings.fiveHour[-1 - code]!));
		collectRows(events, collected, 'fiveHour', plan.fiveHour);
		collectRows(events, collected, 'weekly', plan.weekly);
	}

	const plans = new Map<string, PlanCost>();
	for (const [plan, planRows] of rows) {
		const fiveHour = fitWindow(planRows.fiveHour);
		const weekly = fitWindow(planRows.weekly);
		if (weekly === undefined && fiveHour === undefined) continue;
		// One window fitted: the other follows from it by the default share between the windows. A plan whose
		// readings never showed a 5-hour window has none (weekly-only plans report just the week).
		const weeklyCost = weekly?.cost ?? scale(fiveHour!.cost, DEFAULT_FIVE_HOUR_SHARE);
		plans.set(plan, {
			fiveHour:
				fiveHour?.cost ?? (planRows.sawFiveHour ? scale(weeklyCost, 1 / DEFAULT_FIVE_HOUR_SHARE) : undefined),
			weekly: weeklyCost,
			source: 'readings',
			fit: {fiveHour, weekly},
		});
	}

	const fitted = [...plans.entries()];
	const costOf = (plan: string): PlanCost => {
		const known = plans.get(plan);
		if (known !== undefined) return known;
		const [basePlan, base] = fitted[0] ?? [];
		if (base === undefined || basePlan === undefined) return defaultPlanCost(plan);
		const factor = planCapacity(basePlan) / planCapacity(plan);
		return {
			fiveHour:
				plan === 'free'
					? undefined
					: scale(base.fiveHour ?? scale(base.weekly, 1 / DEFAULT_FIVE_HOUR_SHARE), factor),
			weekly: scale(base.weekly, factor),
			source: 'scaled',
			fit: {fiveHour: undefined, weekly: undefined},
		};
	};

	return {plans, costOf};
}

/** Rows of one window kind from an account's time-sorted events (request index, or -1 - reading index). */
function collectRows(
	events: Int32Array,
	collected: Collected,
	kind: 'fiveHour' | 'weekly',
	into: WindowRows,
): void {
	const {requests, readings} = collected;
	const usedColumn = kind === 'fiveHour' ? readings.fiveHour : readings.weekly;
	const resetColumn = kind === 'fiveHour' ? readings.fiveHourResetAt : readings.weeklyResetAt;
	let base: {used: number; resetAt: number} | undefined;
	let u = 0;
	let c = 0;
	let o = 0;
	for (const code of events) {
		if (code >= 0) {
			u += Math.max(0, requests.input[code]! - requests.cachedInput[code]!);
			c += requests.cachedInput[code]!;
			o += requests.output[code]!;
			continue;
		}

		const used = usedColumn[-1 - code]!;
		const resetAt = resetColumn[-1 - code]!;
		if (Number.isNaN(used)) continue;
		const sameWindow =
			base !== undefined &&
			!Number.isNaN(base.resetAt) &&
			!Number.isNaN(resetAt) &&
			Math.abs(base.resetAt - resetAt) <= SAME_RESET_MS &&
			used >= base.used;
		// A reading at 100% is capped: it says nothing about what the requests before it cost.
		if (sameWindow && base!.used < 100 && used < 100 && u + c + o > 0) {
			into.push({delta: used - base!.used, uncached: u, cached: c, output: o});
		}

		base = {used, resetAt};
		u = 0;
		c = 0;
		o = 0;
	}
}

/** Reset times within this of each other name one window instance (headers round to the second). */
const SAME_RESET_MS = 120_000;
