/*
`npm run bench:sim`: the standard grid (flat and workday), every strategy, movement off and on, kick
schedulers none/stagger/ours, written to bench/results/simulate.{md,json}. The headline cells use 2048
runs; the rest fewer (see RUNS) so that the whole benchmark ends within about 15 minutes on 2 cores.
BENCH_SCALE=0.05 scales every run count down for a quick dry run (never committed).
*/
import {writeFileSync} from 'node:fs';
import {availableParallelism} from 'node:os';
import process from 'node:process';
import {jsonReport} from '../source/commands/simulate.ts';
import {kickPolicyNames} from '../source/core/kicks/index.ts';
import type {CellSpec} from '../source/core/sim/cells.ts';
import {GRID_MEAN, GRID_RHO, type Scenario} from '../source/core/sim/model.ts';
import {type CellOutcome, runCells} from '../source/core/sim/pool.ts';
import {evaluateTargets, headlineTables, targetsReport} from '../source/core/sim/targets.ts';
import {DEFAULT_STRATEGY, strategyNames} from '../source/core/strategies/index.ts';

/** Runs per cell: the headline cells, every other strategy in the comparison (movement on, stagger), the rest. */
export const RUNS = {headline: 2048, comparison: 96, other: 12} as const;

export const HEADLINE = [
	{strategy: DEFAULT_STRATEGY, movement: 'on', scheduler: 'ours'},
	{strategy: 'phase-targeting', movement: 'on', scheduler: 'stagger'},
	{strategy: 'capacity-weighted', movement: 'off', scheduler: 'none'},
] as const;

const scale = Number(process.env.BENCH_SCALE ?? 1);
const runsFor = (strategy: string, movement: 'on' | 'off', scheduler: string): number => {
	const base = HEADLINE.some(
		(h) => h.strategy === strategy && h.movement === movement && h.scheduler === scheduler,
	)
		? RUNS.headline
		: movement === 'on' && scheduler === 'stagger'
			? RUNS.comparison
			: RUNS.other;
	return Math.max(2, Math.round(base * scale));
};

const cells: CellSpec[] = [];
for (const scenario of ['flat', 'workday'] as Scenario[])
	for (const rho of GRID_RHO)
		for (const mean of GRID_MEAN)
			for (const strategy of strategyNames)
				for (const movement of ['on', 'off'] as const)
					for (const scheduler of kickPolicyNames) {
						const runs = runsFor(strategy, movement, scheduler);
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

const threads = Number(process.env.BENCH_THREADS ?? availableParallelism());
const totalRuns = cells.reduce((sum, cell) => sum + cell.runs, 0);
process.stderr.write(`bench:sim: ${cells.length} cells, ${totalRuns} runs on ${threads} threads\n`);
const cpuBefore = process.cpuUsage();
const started = performance.now();
let shown = 0;
const results: CellOutcome[] = await runCells(cells, {
	threads,
	chunk: 8,
	onProgress(done, total) {
		if (performance.now() - shown > 5000 || done === total) {
			shown = performance.now();
			const elapsed = (performance.now() - started) / 1000;
			process.stderr.write(`  ${done}/${total} runs, ${elapsed.toFixed(0)} s\n`);
		}
	},
});
const wallSeconds = (performance.now() - started) / 1000;
const cpu = process.cpuUsage(cpuBefore);
const cpuSeconds = (cpu.user + cpu.system) / 1e6;
const sessions = results.reduce((sum, cell) => sum + cell.sessions, 0);
const meta = {
	generatedAt: new Date().toISOString(),
	node: process.version,
	threads,
	cores: availableParallelism(),
	wallSeconds: Math.round(wallSeconds * 10) / 10,
	cpuSeconds: Math.round(cpuSeconds * 10) / 10,
	runs: totalRuns,
	sessions,
	sessionsPerSecond: Math.round(sessions / wallSeconds),
	runsPerCell: {...RUNS, headlineCells: HEADLINE, scale},
};
const targets = evaluateTargets(results);
// Where the time went, per (strategy, movement, scheduler): seconds per run, summed over the grid.
const costs: Record<string, {runs: number; seconds: number}> = {};
for (const cell of results) {
	const key = `${cell.strategy}/${cell.movement}/${cell.scheduler}`;
	const cost = costs[key] ?? {runs: 0, seconds: 0};
	costs[key] = {runs: cost.runs + cell.runs, seconds: cost.seconds + cell.seconds};
}

const out = process.env.BENCH_OUT ?? new URL('results/', import.meta.url).pathname;
writeFileSync(
	`${out}/simulate.json`,
	`${JSON.stringify({...meta, targets, costs, ...jsonReport(results)}, undefined, 1)}\n`,
);
writeFileSync(
	`${out}/simulate.md`,
	[
		'# Simulator benchmark (`npm run bench:sim`)',
		'',
		`Generated ${meta.generatedAt} with Node ${meta.node} on ${meta.cores} cores (${threads} worker threads).`,
		`Wall time ${meta.wallSeconds} s, CPU time ${meta.cpuSeconds} s; ${sessions.toLocaleString('en')} simulated sessions,`,
		`${meta.sessionsPerSecond.toLocaleString('en')} sessions per second of wall time.`,
		'',
		`Model: shared/simulation-model.md, 7 accounts, 28 days, seeds 0..R-1. Runs per cell: headline cells`,
		`(${HEADLINE.map((h) => `\`${h.strategy}\` movement ${h.movement} scheduler ${h.scheduler}`).join('; ')})`,
		`R = ${runsFor(HEADLINE[0].strategy, 'on', 'ours')}; every other strategy with movement on and \`stagger\` R = ${runsFor('random', 'on', 'stagger')};`,
		`all other cells R = ${runsFor('random', 'off', 'none')}. Values are means ± 95% confidence intervals.`,
		'',
		headlineTables(results),
		targetsReport(targets),
		'Every cell (all strategies × movement × scheduler) is in `simulate.json`, in the shape of `codexpool simulate --json`.',
		'',
	].join('\n'),
);
process.stderr.write(
	`bench:sim: done in ${meta.wallSeconds} s wall, ${meta.cpuSeconds} s CPU, ${meta.sessionsPerSecond} sessions/s\n`,
);
