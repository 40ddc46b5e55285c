import {DEFAULT_KICK_POLICY} from '../kicks/names.ts';
import {DEFAULT_STRATEGY} from '../strategies/names.ts';
import {type Metric, metricColumn} from './cells.ts';
import {type Estimate, estimate} from './stats.ts';
import {markdownTables} from './table.ts';
import type {CellOutcome} from './worker-pool.ts';

/*
The three targets for our default strategy, checked on benchmark results:
1. in every setting (scenario, rho, mean), our default (`phase-fit` with movement and `rotate-restart`) is not worse than any
   other strategy with movement and `stagger`, beyond the confidence interval, on wait and on interruptions;
2. averaged over the settings (ratio per setting, then the mean), at least 25% fewer interruptions than
   `phase-targeting` at no more than 5% more wait, or at least 25% less wait at no more interruptions;
3. where rho ≤ 0.8, its wait is at most 1% of codex-lb's default (`capacity-weighted`, no movement, no
   scheduler).
*/

type Pattern = {readonly strategy?: string; readonly movement?: 'on' | 'off'; readonly scheduler?: string};
const OURS: Pattern = {strategy: DEFAULT_STRATEGY, movement: 'on', scheduler: DEFAULT_KICK_POLICY};
const RIVALS: Pattern = {movement: 'on', scheduler: 'stagger'};
const CODEX_LB: Pattern = {strategy: 'capacity-weighted', movement: 'off', scheduler: 'none'};

const settingKey = (cell: CellOutcome) => `${cell.scenario}|${cell.rho}|${cell.mean}`;
const is = (cell: CellOutcome, pattern: Pattern) =>
	Object.entries(pattern).every(([key, value]) => cell[key as keyof Pattern] === value);

/**
"Worse beyond the confidence interval": the difference of the means exceeds the 95% interval of the
difference of two independent means, √(ci₁² + ci₂²).
*/
export function worseBeyondCi(ours: Estimate, other: Estimate): boolean {
	return ours.mean - other.mean > Math.hypot(ours.ci95, other.ci95);
}

/**
Ours against a rival on the rival's seeds (ours may have more runs: only its first `rival.runs` count, so
both means are over the same sessions): worse beyond the CI, and, on the paired differences run by run,
worse beyond the 95% interval of the mean difference (a stricter test, reported alongside).
*/
export function compareOnSameSeeds(
	ours: CellOutcome,
	rival: CellOutcome,
	metric: Metric,
): {worse: boolean; pairedWorse: boolean} {
	const runs = Math.min(ours.runs, rival.runs);
	const mine = metricColumn(ours.values, metric, runs);
	const theirs = metricColumn(rival.values, metric, runs);
	const difference = mine.map((value, run) => value - theirs[run]!);
	const paired = estimate(difference);
	return {
		worse: worseBeyondCi(estimate(mine), estimate(theirs)),
		pairedWorse: paired.mean > paired.ci95 && paired.mean > 1e-9,
	};
}

/**
ours / base where the two can be told apart from zero; 1 when neither mean is beyond its own confidence
interval from 0 (a handful of events in a thousand runs: their ratio is noise, not a difference).
*/
export function settledRatio(ours: Estimate, base: Estimate): number {
	return ours.mean <= ours.ci95 && base.mean <= base.ci95 ? 1 : ratio(ours.mean, base.mean);
}

/** ours / base, where 0 / 0 counts as 1 (both perfect: no difference). */
export function ratio(ours: number, base: number): number {
	if (base === 0) return ours === 0 ? 1 : Number.POSITIVE_INFINITY;
	return ours / base;
}

export type SettingCheck = {
	readonly scenario: string;
	readonly rho: number;
	readonly mean: number;
	/** Strategies that beat ours beyond the CI, on wait or on interruptions (same seeds). */
	readonly beatenBy: readonly string[];
	/** The same on the paired per-run differences (stricter). */
	readonly beatenByPaired: readonly string[];
	readonly interruptionsRatio: number;
	readonly waitRatio: number;
	/** The same, counting 1 where neither mean is distinguishable from 0 (see settledRatio). */
	readonly settledInterruptionsRatio: number;
	readonly settledWaitRatio: number;
	/** ours' wait over codex-lb's default's wait (rho ≤ 0.8 only). */
	readonly waitVsCodexLb?: number;
};

export type Targets = {
	readonly settings: readonly SettingCheck[];
	readonly notWorseEverywhere: boolean;
	readonly meanInterruptionsRatio: number;
	readonly meanWaitRatio: number;
	readonly meanSettledInterruptionsRatio: number;
	readonly meanSettledWaitRatio: number;
	/** Judged on the settled ratios; the raw ones are reported alongside. */
	readonly beatsPhaseTargeting: boolean;
	readonly beatsPhaseTargetingRaw: boolean;
	/** Worst single setting with rho ≤ 0.8, and all of them summed. */
	readonly worstWaitVsCodexLb: number;
	readonly totalWaitVsCodexLb: number;
	readonly lowLoadWait: boolean;
};

/**
Check the targets on benchmark cells. Cells read back from a results file carry no per-run values; the
same-seed comparisons of target 1 are then taken from `previous` (the targets stored with them).
*/
export function evaluateTargets(cells: readonly CellOutcome[], previous?: Targets): Targets {
	const settings: SettingCheck[] = [];
	let oursLowWait = 0;
	let codexLbLowWait = 0;
	for (const key of new Set(cells.map(settingKey))) {
		const group = cells.filter((cell) => settingKey(cell) === key);
		const ours = group.find((cell) => is(cell, OURS));
		const phase = group.find((cell) => is(cell, {...RIVALS, strategy: 'phase-targeting'}));
		if (ours === undefined || phase === undefined) continue;
		const rivals = group.filter((cell) => is(cell, RIVALS) && cell.strategy !== DEFAULT_STRATEGY);
		const checks = (ours.values.length === 0 ? [] : rivals).map((rival) => ({
			strategy: rival.strategy,
			wait: compareOnSameSeeds(ours, rival, 'waitHours'),
			interruptions: compareOnSameSeeds(ours, rival, 'interruptions'),
		}));
		const stored = previous?.settings.find(
			(setting) =>
				setting.scenario === ours.scenario && setting.rho === ours.rho && setting.mean === ours.mean,
		);
		const fromFile = ours.values.length === 0 && stored !== undefined;
		const beatenBy = fromFile
			? stored.beatenBy
			: checks
					.filter((check) => check.wait.worse || check.interruptions.worse)
					.map((check) => check.strategy);
		const beatenByPaired = fromFile
			? stored.beatenByPaired
			: checks
					.filter((check) => check.wait.pairedWorse || check.interruptions.pairedWorse)
					.map((check) => check.strategy);
		const codexLb = group.find((cell) => is(cell, CODEX_LB));
		const low = ours.rho <= 0.8 && codexLb !== undefined;
		if (low) {
			oursLowWait += ours.waitHours.mean;
			codexLbLowWait += codexLb.waitHours.mean;
		}

		settings.push({
			scenario: ours.scenario,
			rho: ours.rho,
			mean: ours.mean,
			beatenBy,
			beatenByPaired,
			interruptionsRatio: ratio(ours.interruptions.mean, phase.interruptions.mean),
			waitRatio: ratio(ours.waitHours.mean, phase.waitHours.mean),
			settledInterruptionsRatio: settledRatio(ours.interruptions, phase.interruptions),
			settledWaitRatio: settledRatio(ours.waitHours, phase.waitHours),
			...(low ? {waitVsCodexLb: ratio(ours.waitHours.mean, codexLb.waitHours.mean)} : {}),
		});
	}

	const average = (values: number[]) =>
		values.reduce((sum, value) => sum + value, 0) / Math.max(1, values.length);
	const meanInterruptionsRatio = average(settings.map((setting) => setting.interruptionsRatio));
	const meanWaitRatio = average(settings.map((setting) => setting.waitRatio));
	const meanSettledInterruptionsRatio = average(settings.map((setting) => setting.settledInterruptionsRatio));
	const meanSettledWaitRatio = average(settings.map((setting) => setting.settledWaitRatio));
	const beats = (interruptions: number, wait: number) =>
		(interruptions <= 0.75 && wait <= 1.05) || (wait <= 0.75 && interruptions <= 1);
	const lowRatios = settings.flatMap((setting) =>
		setting.waitVsCodexLb === undefined ? [] : [setting.waitVsCodexLb],
	);
	const worstWaitVsCodexLb = Math.max(0, ...lowRatios);
	return {
		settings,
		notWorseEverywhere: settings.every((setting) => setting.beatenBy.length === 0),
		meanInterruptionsRatio,
		meanWaitRatio,
		meanSettledInterruptionsRatio,
		meanSettledWaitRatio,
		beatsPhaseTargeting: beats(meanSettledInterruptionsRatio, meanSettledWaitRatio),
		beatsPhaseTargetingRaw: beats(meanInterruptionsRatio, meanWaitRatio),
		worstWaitVsCodexLb,
		totalWaitVsCodexLb: ratio(oursLowWait, codexLbLowWait),
		lowLoadWait: worstWaitVsCodexLb <= 0.01,
	};
}

const pct = (value: number) => (Number.isFinite(value) ? `${(value * 100).toFixed(1)}%` : '∞');
const yes = (value: boolean) => (value ? '**met**' : '**not met**');

/** The targets as Markdown: one row per setting, then the verdicts. */
export function targetsReport(targets: Targets): string {
	const rows = targets.settings.map(
		(s) =>
			`| ${s.scenario} | ${s.rho} | ${s.mean} | ${s.beatenBy.length === 0 ? 'none' : s.beatenBy.join(', ')} | ${s.beatenByPaired.length === 0 ? 'none' : s.beatenByPaired.join(', ')} | ${pct(s.settledInterruptionsRatio)} (${pct(s.interruptionsRatio)}) | ${pct(s.settledWaitRatio)} (${pct(s.waitRatio)}) | ${s.waitVsCodexLb === undefined ? '' : pct(s.waitVsCodexLb)} |`,
	);
	return [
		'## Targets (issue 2)',
		'',
		'ours = our default, `phase-fit` with movement and the `rotate-restart` kick policy; rivals = every other strategy with movement and `stagger`.',
		"Against a rival, ours counts only its runs on the rival's seeds, so both means are over the same sessions;",
		'"beyond the CI" = the difference of the means exceeds √(ci₁² + ci₂²). The paired test (per-run differences,',
		'their mean beyond its own 95% interval) is stricter and reported alongside; target 1 is judged on the first.',
		'',
		'| scenario | rho | mean | beats ours beyond the CI | paired test | interruptions vs phase-targeting (raw) | wait vs phase-targeting (raw) | wait vs codex-lb default |',
		'|---|---:|---:|---|---|---:|---:|---:|',
		...rows,
		'',
		`1. Not worse than any rival beyond the CI, in every setting: ${yes(targets.notWorseEverywhere)}.`,
		`2. Versus phase-targeting, mean of per-setting ratios, counting 1 where neither mean is beyond its CI from 0: interruptions ${pct(targets.meanSettledInterruptionsRatio)}, wait ${pct(targets.meanSettledWaitRatio)}: ${yes(targets.beatsPhaseTargeting)}. Raw ratios (only 0/0 counts 1): interruptions ${pct(targets.meanInterruptionsRatio)}, wait ${pct(targets.meanWaitRatio)}: ${yes(targets.beatsPhaseTargetingRaw)}.`,
		`3. Wait where rho ≤ 0.8 versus codex-lb's default: all such settings together ${pct(targets.totalWaitVsCodexLb)}, ≤ 1%: ${yes(targets.totalWaitVsCodexLb <= 0.01)}; setting by setting, worst ${pct(targets.worstWaitVsCodexLb)}, each ≤ 1%: ${yes(targets.lowLoadWait)}${targets.lowLoadWait ? '' : ' (where the pool runs out of weekly quota: see weekly-crunch.md)'}.`,
		'',
	].join('\n');
}

/** The headline cells side by side per setting, then the comparison cells (movement on, stagger) per setting. */
export function headlineTables(cells: readonly CellOutcome[]): string {
	const headline = cells.filter(
		(cell) => is(cell, OURS) || is(cell, {...RIVALS, strategy: 'phase-targeting'}) || is(cell, CODEX_LB),
	);
	const comparison = cells.filter(
		(cell) => is(cell, OURS) || (is(cell, RIVALS) && cell.strategy !== DEFAULT_STRATEGY),
	);
	return [
		'## Headline cells',
		'',
		markdownTables(headline),
		'## Our default against every strategy (movement on; `stagger`, ours with its own kick policy)',
		'',
		markdownTables(comparison),
	].join('\n');
}
