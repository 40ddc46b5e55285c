/*
`npm run bench:sim`: the standard grid (flat and workday), every strategy, movement off and on, kick
schedulers none/stagger/ours, written to bench/results/simulate.{md,json}. The headline cells use 2048
runs; the rest fewer (see RUNS) so that the whole benchmark ends within about 15 minutes on 2 cores.
It runs in two phases and writes the files after each: first every cell the targets need (headline cells
and every strategy with movement and stagger), then all the others.
BENCH_SCALE=0.05 scales every run count down for a quick dry run; BENCH_OUT=DIR writes elsewhere.
*/
import {spawnSync} from 'node:child_process';
import {readFileSync, writeFileSync} from 'node:fs';
import {availableParallelism} from 'node:os';
import process from 'node:process';
import {jsonReport} from '../source/commands/simulate.ts';
import {kickPolicyNames} from '../source/core/kicks/index.ts';
import type {CellSpec} from '../source/core/sim/cells.ts';
import {GRID_MEAN, GRID_RHO, type Scenario} from '../source/core/sim/model.ts';
import {evaluateTargets, headlineTables, type Targets, targetsReport} from '../source/core/sim/targets.ts';
import {type CellOutcome, runCells} from '../source/core/sim/worker-pool.ts';
import {DEFAULT_STRATEGY, strategyNames} from '../source/core/strategies/index.ts';

/**
Runs per cell: the headline cells, every other strategy in the comparison (movement on, stagger), the rest.
BENCH_HEADLINE, BENCH_COMPARISON and BENCH_OTHER override them (the files say what was used).
*/
export const RUNS = {
	headline: Number(process.env.BENCH_HEADLINE ?? 2048),
	comparison: Number(process.env.BENCH_COMPARISON ?? 64),
	other: Number(process.env.BENCH_OTHER ?? 8),
};

export const HEADLINE = [
	{strategy: DEFAULT_STRATEGY, movement: 'on', scheduler: 'ours'},
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

const needed = (cell: CellSpec) => kind(cell.strategy, cell.movement, cell.scheduler) !== 'other';
// The cells the targets need come first, one scenario at a time, so a partial result is still usable.
const phases = [
	cells.filter((cell) => needed(cell) && cell.scenario === 'flat'),
	cells.filter((cell) => needed(cell) && cell.scenario === 'workday'),
	cells.filter((cell) => !needed(cell)),
];
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
	reportOnly();
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

	render(results, meta, evaluateTargets(results), costs);
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
	runsPerCell: {headline: number; comparison: number; other: number; scale: number; headlineCells?: unknown};
};

function reportOnly(): void {
	const saved = JSON.parse(readFileSync(`${out}/simulate.json`, 'utf8')) as Meta & {
		targets: Targets;
		costs: Record<string, {runs: number; seconds: number}>;
		cells: Omit<CellOutcome, 'seed' | 'sessions' | 'seconds' | 'values'>[];
	};
	const results: CellOutcome[] = saved.cells.map((cell) => ({
		...cell,
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
	render(results, meta, evaluateTargets(results, targets), costs);
}

function render(
	results: readonly CellOutcome[],
	meta: Meta,
	targets: Targets,
	costs: Record<string, {runs: number; seconds: number}>,
): void {
	const {complete, sessions} = meta;
	const used = (name: 'headline' | 'comparison' | 'other') =>
		Math.max(2, Math.round(meta.runsPerCell[name] * meta.runsPerCell.scale));
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
			headlineTables(results),
			'Every cell (all strategies × movement × scheduler) is in `simulate.json`, in the shape of `codexpool simulate --json`.',
			'',
		].join('\n'),
	);
	// The repository's formatter owns the layout of committed files (`npm run lint` checks bench/ too).
	spawnSync('npx', ['biome', 'format', '--write', `${out}/simulate.json`, `${out}/simulate.md`], {
		stdio: 'ignore',
	});
	process.stderr.write(
		`bench:sim: ${complete ? 'done' : 'targets phase written'} at ${meta.wallSeconds} s wall, ${meta.cpuSeconds} s CPU, ${meta.sessionsPerSecond} sessions/s\n`,
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
			cell.mean === result.mean,
	)!;
}
