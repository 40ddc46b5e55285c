/*
`npm run bench:sim`: the standard grid (flat and workday), every strategy, movement off and on, kick
schedulers none/stagger/rotate-restart, written to bench/results/simulate.{md,json}. The headline cells use 2048
runs; the rest fewer (see RUNS) so that the whole benchmark ends within about 15 minutes on 2 cores.
It runs in phases and writes the files after each: first every cell the targets need (headline cells
and every strategy with movement and stagger), then all the others, then the pools and caps (VARIANTS: the
headline cells on weekly-only and mixed pools and under caps; reported apart, never part of the targets).
BENCH_SCALE=0.05 scales every run count down for a quick dry run; BENCH_OUT=DIR writes elsewhere.
`--variants-only` runs the pools and caps alone (minutes instead of the whole grid's CPU hour, on a shared
machine) and keeps the standard cells of results/simulate.json, once a sample of them (every cell of flat,
rho 1, mean 0.02 with at most BENCH_COMPARISON runs) re-runs to the same figures with the current code; if one
differs, it stops and says to run the whole benchmark.
*/
import {spawnSync} from 'node:child_process';
import {readFileSync, writeFileSync} from 'node:fs';
import {availableParallelism} from 'node:os';
import process from 'node:process';
import {jsonReport} from '../source/commands/simulate.ts';
import {canonicalKickPolicyName, DEFAULT_KICK_POLICY, kickPolicyNames} from '../source/core/kicks/index.ts';
import {type CellSpec, capLabel, capsFromLabel} from '../source/core/sim/cells.ts';
import {GRID_MEAN, GRID_RHO, type PoolKind, type Scenario, type SimCaps} from '../source/core/sim/model.ts';
import {markdownTables} from '../source/core/sim/table.ts';
import {evaluateTargets, headlineTables, type Targets, targetsReport} from '../source/core/sim/targets.ts';
import {type CellOutcome, runCells} from '../source/core/sim/worker-pool.ts';
import {canonicalStrategyName, DEFAULT_STRATEGY, strategyNames} from '../source/core/strategies/index.ts';

/**
Runs per cell: the headline cells, every other strategy in the comparison (movement on, stagger), the rest.
BENCH_HEADLINE, BENCH_COMPARISON and BENCH_OTHER override them (the files say what was used).
*/
export const RUNS = {
	headline: Number(process.env.BENCH_HEADLINE ?? 2048),
	comparison: Number(process.env.BENCH_COMPARISON ?? 64),
	other: Number(process.env.BENCH_OTHER ?? 8),
	variant: Number(process.env.BENCH_VARIANT ?? 128),
};

/**
Pools and caps (issue 19): accounts without a 5-hour window (all of them, or every second one) and a reserve
kept on every account (cap 90, 80, 70 % of both windows; the standard cells are cap 100), for the headline
cells at mean 0.02, flat, rho 0.5 / 0.8 / 1.0.
*/
export const VARIANTS: readonly {pool?: PoolKind; caps?: SimCaps}[] = [
	{pool: 'weekly-only'},
	{pool: 'mixed'},
	...[90, 80, 70].map((cap) => ({caps: {fiveHour: cap, weekly: cap}})),
	{caps: {fiveHour: 90, weekly: 80}},
];

export const HEADLINE = [
	{strategy: DEFAULT_STRATEGY, movement: 'on', scheduler: DEFAULT_KICK_POLICY},
	{strategy: 'phase-targeting', movement: 'on', scheduler: 'stagger'},
	{strategy: 'capacity-weighted', movement: 'off', scheduler: 'none'},
] as const;

const scale = Number(process.env.BENCH_SCALE ?? 1);
const kind = (strategy: string, movement: 'on' | 'off', scheduler: string): keyof typeof RUNS =>
	HEADLINE.some((h) => h.strategy === strategy && h.movement === movement && h.scheduler === scheduler)
		? 'headline'
		: movement === 'on' && scheduler === 'stagger'
			? 'comparison'
			: 'other';
const runsOf = (name: keyof typeof RUNS) => Math.max(2, Math.round(RUNS[name] * scale));

const cells: CellSpec[] = [];
for (const scenario of ['flat', 'workday'] as Scenario[])
	for (const rho of GRID_RHO)
		for (const mean of GRID_MEAN)
			for (const strategy of strategyNames)
				for (const movement of ['on', 'off'] as const)
					for (const scheduler of kickPolicyNames) {
						const runs = runsOf(kind(strategy, movement, scheduler));
						cells.push({
							strategy,
							movement,
							scheduler,
							scenario,
							rho,
							mean,
							accounts: 7,
							days: 28,
							runs,
							seed: 0,
						});
					}

const variantCells: CellSpec[] = [];
for (const variant of VARIANTS)
	for (const rho of [0.5, 0.8, 1.0])
		for (const headline of HEADLINE) {
			variantCells.push({
				...headline,
				scenario: 'flat',
				rho,
				mean: 0.02,
				accounts: 7,
				days: 28,
				runs: runsOf('variant'),
				seed: 0,
				...variant,
			});
		}

/** A cell of the standard grid (the model's pool, no cap): only these count for the targets. */
const isStandard = (cell: {pool?: string | undefined; caps?: SimCaps | undefined}) =>
	(cell.pool ?? 'standard') === 'standard' && cell.caps === undefined;
const needed = (cell: CellSpec) => kind(cell.strategy, cell.movement, cell.scheduler) !== 'other';
// The cells the targets need come first, one scenario at a time, so a partial result is still usable.
const phases = [
	cells.filter((cell) => needed(cell) && cell.scenario === 'flat'),
	cells.filter((cell) => needed(cell) && cell.scenario === 'workday'),
	cells.filter((cell) => !needed(cell)),
	variantCells,
];
cells.push(...variantCells);
const threads = Number(process.env.BENCH_THREADS ?? availableParallelism());
const out = process.env.BENCH_OUT ?? new URL('results/', import.meta.url).pathname;
const totalRuns = cells.reduce((sum, cell) => sum + cell.runs, 0);
const cpuBefore = process.cpuUsage();
const started = performance.now();
const done: CellOutcome[] = [];
let shown = 0;
let finishedRuns = 0;
// `--report-only` rewrites the Markdown (and the targets) from results/simulate.json without simulating.
if (process.argv.includes('--report-only')) {
	const saved = loadSaved();
	render(
		saved.results,
		saved.meta,
		evaluateTargets(saved.results.filter(isStandard), saved.targets),
		saved.costs,
	);
	process.exit(0);
}

if (process.argv.includes('--variants-only')) {
	await variantsOnly();
	process.exit(0);
}

process.stderr.write(`bench:sim: ${cells.length} cells, ${totalRuns} runs on ${threads} threads\n`);
for (const [index, phase] of phases.entries()) {
	const results = await runCells(phase, {
		threads,
		chunk: 8,
		onProgress(runs) {
			if (performance.now() - shown > 10_000) {
				shown = performance.now();
				const elapsed = (performance.now() - started) / 1000;
				process.stderr.write(`  ${finishedRuns + runs}/${totalRuns} runs, ${elapsed.toFixed(0)} s\n`);
			}
		},
	});
	finishedRuns += phase.reduce((sum, cell) => sum + cell.runs, 0);
	done.push(...results);
	write(index === phases.length - 1);
}

/** Write both files from the cells done so far, in the grid's order. */
function write(complete: boolean): void {
	const order = new Map(cells.map((cell, index) => [cell, index]));
	const results = [...done].sort((a, b) => order.get(cellOf(a))! - order.get(cellOf(b))!);
	const wallSeconds = (performance.now() - started) / 1000;
	const cpu = process.cpuUsage(cpuBefore);
	const sessions = results.reduce((sum, cell) => sum + cell.sessions, 0);
	const meta: Meta = {
		generatedAt: new Date().toISOString(),
		complete,
		node: process.version,
		cores: availableParallelism(),
		threads,
		wallSeconds: Math.round(wallSeconds * 10) / 10,
		cpuSeconds: Math.round(((cpu.user + cpu.system) / 1e6) * 10) / 10,
		runs: results.reduce((sum, cell) => sum + cell.runs, 0),
		sessions,
		sessionsPerSecond: Math.round(sessions / wallSeconds),
		runsPerCell: {...RUNS, scale, headlineCells: HEADLINE},
	};
	const costs: Record<string, {runs: number; seconds: number}> = {};
	for (const cell of results) {
		const key = `${cell.strategy}/${cell.movement}/${cell.scheduler}`;
		const cost = costs[key] ?? {runs: 0, seconds: 0};
		costs[key] = {
			runs: cost.runs + cell.runs,
			seconds: Math.round((cost.seconds + cell.seconds) * 100) / 100,
		};
	}

	render(results, meta, evaluateTargets(results.filter(isStandard)), costs);
}

type Meta = {
	generatedAt: string;
	complete: boolean;
	node: string;
	cores: number;
	threads: number;
	wallSeconds: number;
	cpuSeconds: number;
	runs: number;
	sessions: number;
	sessionsPerSecond: number;
	runsPerCell: {
		headline: number;
		comparison: number;
		other: number;
		variant?: number;
		scale: number;
		headlineCells?: unknown;
	};
	/** Set when the pools and caps were run apart (`--variants-only`) from the standard cells. */
	variants?: {
		generatedAt: string;
		threads: number;
		wallSeconds: number;
		cpuSeconds: number;
		runs: number;
		/** Saved standard cells re-run with the same figures before these were added. */
		reproducedCells: number;
	};
};

/** What results/simulate.json holds: the run's meta, targets and costs, and its cells under today's names. */
function loadSaved() {
	const saved = JSON.parse(readFileSync(`${out}/simulate.json`, 'utf8')) as Meta & {
		targets: Targets;
		costs: Record<string, {runs: number; seconds: number}>;
		cells: (Omit<CellOutcome, 'seed' | 'sessions' | 'seconds' | 'values' | 'caps'> & {cap?: string})[];
	};
	// Results written before the renames name phase-fit and rotate-restart `ours`.
	const results: CellOutcome[] = saved.cells.map(({cap, ...cell}) => ({
		...cell,
		strategy: canonicalStrategyName(cell.strategy),
		scheduler: canonicalKickPolicyName(cell.scheduler),
		...(cell.pool === undefined || cell.pool === 'standard' ? {pool: undefined} : {}),
		...(cap === undefined || cap === 'none' ? {} : {caps: capsFromLabel(cap)}),
		seed: 0,
		sessions: 0,
		seconds: 0,
		values: new Float64Array(0),
	}));
	const {
		targets,
		costs,
		cells: _cells,
		default: _default,
		...meta
	} = saved as typeof saved & {default: string};
	const canonicalCosts = Object.fromEntries(
		Object.entries(costs).map(([key, cost]) => {
			const [strategy, movement, scheduler] = key.split('/');
			return [`${canonicalStrategyName(strategy!)}/${movement}/${canonicalKickPolicyName(scheduler!)}`, cost];
		}),
	);
	return {results, meta, targets, costs: canonicalCosts};
}

/** The pools and caps alone, beside the saved standard cells (see `--variants-only` at the top). */
async function variantsOnly(): Promise<void> {
	const saved = loadSaved();
	const standard = saved.results.filter(isStandard);
	const sample = standard.filter(
		(cell) =>
			cell.scenario === 'flat' && cell.rho === 1 && cell.mean === 0.02 && cell.runs <= RUNS.comparison,
	);
	process.stderr.write(`bench:sim: re-running ${sample.length} saved cells to check they reproduce\n`);
	const rerun = await runCells(sample.map(specOf), {threads, chunk: 8});
	const differs = rerun.filter((cell, index) => !sameFigures(cell, sample[index]!));
	if (sample.length === 0 || differs.length > 0) {
		const names = differs.map((cell) => `${cell.strategy}/${cell.movement}/${cell.scheduler}`).join(', ');
		process.stderr.write(
			`bench:sim: the saved cells do not reproduce with this code (${names || 'none to check'}): run the whole benchmark.\n`,
		);
		process.exit(1);
	}

	const variantStart = performance.now();
	const cpu = process.cpuUsage();
	const variants = await runCells(variantCells, {threads, chunk: 8});
	const meta: Meta = {
		...saved.meta,
		runsPerCell: {...saved.meta.runsPerCell, variant: RUNS.variant, headlineCells: HEADLINE},
		variants: {
			generatedAt: new Date().toISOString(),
			threads,
			wallSeconds: Math.round((performance.now() - variantStart) / 100) / 10,
			cpuSeconds: Math.round(((cpu.user + cpu.system) / 1e6) * 10) / 10,
			runs: variants.reduce((sum, cell) => sum + cell.runs, 0),
			reproducedCells: sample.length,
		},
	};
	render([...standard, ...variants], meta, evaluateTargets(standard, saved.targets), saved.costs);
}

function specOf(cell: CellOutcome): CellSpec {
	const {strategy, movement, scheduler, scenario, rho, mean, accounts, days, runs} = cell;
	return {strategy, movement, scheduler, scenario, rho, mean, accounts, days, runs, seed: 0};
}

/** The same means and intervals, to rounding (the saved ones went through JSON). */
function sameFigures(a: CellOutcome, b: CellOutcome): boolean {
	const metrics = ['interruptions', 'waitHours', 'moves', 'p95PauseHours', 'wastedShare'] as const;
	const close = (x: number, y: number) => Math.abs(x - y) <= 1e-9 * Math.max(1, Math.abs(x), Math.abs(y));
	return metrics.every((m) => close(a[m].mean, b[m].mean) && close(a[m].ci95, b[m].ci95));
}

function render(
	results: readonly CellOutcome[],
	meta: Meta,
	targets: Targets,
	costs: Record<string, {runs: number; seconds: number}>,
): void {
	const {complete, sessions} = meta;
	const used = (name: 'headline' | 'comparison' | 'other' | 'variant') =>
		Math.max(2, Math.round((meta.runsPerCell[name] ?? RUNS.variant) * meta.runsPerCell.scale));
	const standard = results.filter(isStandard);
	const variants = results.filter((cell) => !isStandard(cell));
	writeFileSync(
		`${out}/simulate.json`,
		`${JSON.stringify({...meta, targets, costs, ...jsonReport(results)}, undefined, 1)}\n`,
	);
	writeFileSync(
		`${out}/simulate.md`,
		[
			'# Simulator benchmark (`npm run bench:sim`)',
			'',
			complete ? '' : '**Partial: only some of the cells the targets need are done so far.**\n',
			`Generated ${meta.generatedAt} with Node ${meta.node}, ${meta.threads} worker threads on ${meta.cores} cores.`,
			`Wall time ${meta.wallSeconds} s (CPU ${meta.cpuSeconds} s, all threads); ${meta.runs.toLocaleString('en')} runs,`,
			`${sessions.toLocaleString('en')} simulated sessions: ${meta.sessionsPerSecond.toLocaleString('en')} sessions per second of wall time.`,
			'',
			'Model: `docs/simulation-model.md`, 7 accounts, 28 days, seeds 0..R-1, the same sessions for every cell.',
			`Runs per cell R: headline cells (${HEADLINE.map((h) => `\`${h.strategy}\` movement ${h.movement}, scheduler ${h.scheduler}`).join('; ')})`,
			`${used('headline')}; every other strategy with movement on and \`stagger\` ${used('comparison')}; all other cells ${used('other')}.`,
			'Values are means ± 95% confidence intervals; bold marks the best of a setting.',
			'Reproduce: `npm run bench:sim`, or one setting: `codexpool simulate --rho 1.2 --mean 0.02 --runs 2048`.',
			'',
			targetsReport(targets),
			headlineTables(standard),
			...(variants.length === 0
				? []
				: [
						'## Pools and caps',
						'',
						`The headline cells (flat, mean 0.02) on pools whose accounts have no 5-hour window (\`weekly-only\`; \`mixed\`: a2, a4, a6 have none) and under a cap on every account (its windows used only to 90, 80 or 70 %, or 90 % of the 5-hour and 80 % of the weekly window: 90/80; the standard cells above are the cap of 100), ${used('variant')} runs per cell. Not part of the targets. One setting: \`codexpool simulate --pool weekly-only --rho 0.8 --runs 128\`, \`codexpool simulate --cap 100,90,80,70,90/80 --rho 0.8 --runs 128\`.`,
						...(meta.variants === undefined
							? []
							: [
									'',
									`These cells were run apart (\`npm run bench:sim -- --variants-only\`) at ${meta.variants.generatedAt}, ${meta.variants.threads} worker threads: ${meta.variants.runs.toLocaleString('en')} runs, wall ${meta.variants.wallSeconds} s (CPU ${meta.variants.cpuSeconds} s); the standard cells above are the run of ${meta.generatedAt}, kept after ${meta.variants.reproducedCells} of them (flat, rho 1, mean 0.02, every cell of at most ${RUNS.comparison} runs) re-ran to the same figures with this code.`,
								]),
						'',
						markdownTables(variants),
					]),
			'Every cell (all strategies × movement × scheduler) is in `bench/results/simulate.json` in the repository (1.3 MB, left out of the npm package), in the shape of `codexpool simulate --json`.',
			'',
		].join('\n'),
	);
	// The repository's formatter owns the layout of committed files (`npm run lint` checks bench/ too).
	spawnSync('npx', ['biome', 'format', '--write', `${out}/simulate.json`, `${out}/simulate.md`], {
		stdio: 'ignore',
	});
	const {variants: apart} = meta;
	process.stderr.write(
		apart === undefined
			? `bench:sim: ${complete ? 'done' : 'targets phase written'} at ${meta.wallSeconds} s wall, ${meta.cpuSeconds} s CPU, ${meta.sessionsPerSecond} sessions/s\n`
			: `bench:sim: pools and caps done, ${apart.runs} runs in ${apart.wallSeconds} s wall, ${apart.cpuSeconds} s CPU\n`,
	);
}

function cellOf(result: CellOutcome): CellSpec {
	return cells.find(
		(cell) =>
			cell.strategy === result.strategy &&
			cell.movement === result.movement &&
			cell.scheduler === result.scheduler &&
			cell.scenario === result.scenario &&
			cell.rho === result.rho &&
			cell.mean === result.mean &&
			(cell.pool ?? 'standard') === (result.pool ?? 'standard') &&
			capLabel(cell.caps) === capLabel(result.caps),
	)!;
}
