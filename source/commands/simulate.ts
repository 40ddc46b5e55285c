import {canonicalKickPolicyName, kickPolicyNames} from '../core/kicks/index.ts';
import {type CellSpec, capLabel} from '../core/sim/cells.ts';
import {
	GRID_MEAN,
	GRID_RHO,
	POOL_KINDS,
	type PoolKind,
	type Scenario,
	type SimCaps,
} from '../core/sim/model.ts';
import {textTable} from '../core/sim/table.ts';
import {type CellOutcome, runCells} from '../core/sim/worker-pool.ts';
import {canonicalStrategyName, DEFAULT_STRATEGY, strategyNames} from '../core/strategies/index.ts';
import {parseCommandLine} from './command-line.ts';
import {type Command, UsageError} from './types.ts';

const help = `
  Usage
    $ codexpool simulate [options]

  Runs the interruption model (docs/simulation-model.md): every chosen strategy, with and without
  session movement, under every chosen kick scheduler, on the same random sessions. Reports per cell the
  interruptions, total wait (hours), moves, p95 pause (hours) and wasted quota (share of capacity), each as
  mean ± 95% confidence interval over the runs. A list of values makes one cell per value.

  Options
    --strategies a,b|all     strategies to compare (default all): ${strategyNames.join(', ')}
    --movement on|off|both   session movement (default on)
    --scheduler a,b|all      kick schedulers (default all): ${kickPolicyNames.join(', ')}
    --rho 0.8,1.0            load: share of the pool's weekly capacity asked for (default 1.0)
    --mean 0.02              mean session size, in weekly quotas (default 0.02)
    --scenario flat|workday  arrival pattern, or both as flat,workday (default flat)
    --grid                   the standard grid: rho 0.5,0.8,1.0,1.2 × mean 0.005,0.02,0.08
    --pool standard|weekly-only|mixed
                             which windows the accounts have (default standard: both); weekly-only: no
                             5-hour window (the weekly-only scenario); mixed: a2, a4, ... have none
    --cap 90 | 90/80         a cap on every account: it stops taking work at that used percent of its
                             windows (90/80: 5-hour 90 %, weekly 80 %) until the window resets; a list
                             (100,90,80) makes one cell per cap (default none)
    --account-caps a1=90/80,a3=70
                             caps on single accounts (over --cap)
    --accounts 7             accounts in the pool (default 7)
    --days 28                horizon in days (default 28)
    --runs 128               runs per cell, seeds seed..seed+runs-1 (default 128)
    --seed 0                 first seed (default 0)
    --threads N              worker threads (default: every core; 0 runs in this thread)
    --json                   print {"default", "cells": [...]} instead of the table

  Example
    $ codexpool simulate --grid --scenario flat,workday --movement both --runs 256
    $ codexpool simulate --strategies phase-fit --scheduler rotate-restart --cap 100,90,80,70
`;

const flags = {
	strategies: {type: 'string', default: 'all'},
	movement: {type: 'string', default: 'on'},
	scheduler: {type: 'string', default: 'all'},
	rho: {type: 'string', default: '1.0'},
	mean: {type: 'string', default: '0.02'},
	scenario: {type: 'string', default: 'flat'},
	grid: {type: 'boolean', default: false},
	pool: {type: 'string', default: 'standard'},
	cap: {type: 'string'},
	accountCaps: {type: 'string'},
	accounts: {type: 'string', default: '7'},
	days: {type: 'string', default: '28'},
	runs: {type: 'string', default: '128'},
	seed: {type: 'string', default: '0'},
	threads: {type: 'string'},
	json: {type: 'boolean', default: false},
} as const;

/** Split a comma list, rejecting empty items. */
function list(option: string, value: string): string[] {
	const items = value.split(',').map((item) => item.trim());
	if (items.some((item) => item === '')) {
		throw new UsageError(
			`--${option} "${value}" has an empty item: give values separated by commas, e.g. --${option} a,b.`,
		);
	}

	return items;
}

/** The names an option lists, former names (`ours`) read as their current ones. */
function names(
	option: string,
	value: string,
	valid: readonly string[],
	current: (name: string) => string = (name) => name,
): string[] {
	const items = list(option, value).map(current);
	if (items.includes('all')) return [...valid];
	for (const item of items) {
		if (!valid.includes(item)) {
			throw new UsageError(`--${option}: unknown "${item}". Choose from: ${valid.join(', ')}, or all.`);
		}
	}

	return items;
}

function numbers(
	option: string,
	value: string,
	rule: {integer?: boolean; min: number; max: number},
): number[] {
	return list(option, value).map((item) => {
		const parsed = Number(item);
		if (
			!Number.isFinite(parsed) ||
			(rule.integer && !Number.isInteger(parsed)) ||
			parsed < rule.min ||
			parsed > rule.max
		) {
			const kind = rule.integer ? 'a whole number' : 'a number';
			throw new UsageError(`--${option} "${item}" is not ${kind} from ${rule.min} to ${rule.max}.`);
		}

		return parsed;
	});
}

/** One cap: `90` (both windows) or `90/80` (5-hour/weekly), each a percent from 1 to 100. */
function parseCap(option: string, value: string): SimCaps {
	const parts = value.split('/');
	const percent = (text: string) => {
		const parsed = Number(text);
		if (text.trim() === '' || !Number.isFinite(parsed) || parsed < 1 || parsed > 100) {
			throw new UsageError(
				`--${option} "${value}" is not a cap: give a percent from 1 to 100, or 5-hour/weekly as 90/80.`,
			);
		}

		return parsed;
	};

	if (parts.length === 1) {
		const both = percent(parts[0]!);
		return {fiveHour: both, weekly: both};
	}

	if (parts.length === 2) {
		return {fiveHour: percent(parts[0]!), weekly: percent(parts[1]!)};
	}

	throw new UsageError(`--${option} "${value}" is not a cap: give 90, or 90/80 (5-hour/weekly).`);
}

/** `a1=90/80,a3=70` as caps by account index, for a pool of `accounts`. */
function parseAccountCaps(value: string, accounts: readonly number[]): (SimCaps | undefined)[] {
	const caps: (SimCaps | undefined)[] = [];
	for (const item of list('account-caps', value)) {
		const match = /^a(\d+)=(.+)$/.exec(item);
		const index = match === null ? Number.NaN : Number(match[1]) - 1;
		if (match === null || index < 0 || accounts.some((count) => index >= count)) {
			throw new UsageError(
				`--account-caps "${item}": give an account of the pool (a1 to a${Math.min(...accounts)}) and a cap, e.g. a1=90/80.`,
			);
		}

		caps[index] = parseCap('account-caps', match[2]!);
	}

	return caps;
}

function single(option: string, value: string, rule: {min: number; max: number}): number {
	const values = numbers(option, value, {...rule, integer: true});
	if (values.length !== 1) throw new UsageError(`--${option} takes one value, not a list.`);
	return values[0]!;
}

/** The cells the options ask for, in a stable order: setting, then strategy, movement, scheduler. */
export function cellsFromOptions(argv: readonly string[]): {
	cells: CellSpec[];
	json: boolean;
	threads?: number;
} {
	const cli = parseCommandLine(help, argv, flags);
	const f = cli.flags;
	if (cli.input.length > 0)
		throw new UsageError(`simulate takes no arguments, only options (got "${cli.input[0]}").`);
	const strategies = names('strategies', f.strategies, strategyNames, canonicalStrategyName);
	const schedulers = names('scheduler', f.scheduler, kickPolicyNames, canonicalKickPolicyName);
	const movement = names('movement', f.movement, ['on', 'off', 'both']);
	const movements = (movement.includes('both') ? ['on', 'off'] : movement) as ('on' | 'off')[];
	const scenarios = names('scenario', f.scenario, ['flat', 'workday']) as Scenario[];
	const rhos = f.grid ? [...GRID_RHO] : numbers('rho', f.rho, {min: 0.001, max: 10});
	const means = f.grid ? [...GRID_MEAN] : numbers('mean', f.mean, {min: 1e-5, max: 10});
	const accounts = numbers('accounts', f.accounts, {integer: true, min: 1, max: 1000});
	const days = numbers('days', f.days, {min: 0.01, max: 3650});
	const runs = single('runs', f.runs, {min: 1, max: 1_000_000});
	const seed = single('seed', f.seed, {min: 0, max: 2 ** 31});
	const threads = f.threads === undefined ? undefined : single('threads', f.threads, {min: 0, max: 256});
	const pools = names('pool', f.pool, POOL_KINDS) as PoolKind[];
	const caps = f.cap === undefined ? [undefined] : list('cap', f.cap).map((cap) => parseCap('cap', cap));
	const accountCaps = f.accountCaps === undefined ? undefined : parseAccountCaps(f.accountCaps, accounts);
	const cells: CellSpec[] = [];
	for (const pool of pools)
		for (const cap of caps)
			for (const scenario of scenarios)
				for (const count of accounts)
					for (const length of days)
						for (const rho of rhos)
							for (const mean of means)
								for (const strategy of strategies)
									for (const move of movements)
										for (const scheduler of schedulers) {
											cells.push({
												strategy,
												movement: move,
												scheduler,
												scenario,
												rho,
												mean,
												accounts: count,
												days: length,
												runs,
												seed,
												...(pool === 'standard' ? {} : {pool}),
												...(cap === undefined ? {} : {caps: cap}),
												...(accountCaps === undefined ? {} : {accountCaps}),
											});
										}

	return {cells, json: f.json, ...(threads === undefined ? {} : {threads})};
}

/** The `--json` shape scripts rely on. */
export function jsonReport(cells: readonly CellOutcome[]) {
	return {
		default: DEFAULT_STRATEGY,
		cells: cells.map((cell) => ({
			strategy: cell.strategy,
			movement: cell.movement,
			scheduler: cell.scheduler,
			scenario: cell.scenario,
			pool: cell.pool ?? 'standard',
			cap: capLabel(cell.caps),
			...(cell.accountCaps === undefined
				? {}
				: {
						accountCaps: cell.accountCaps.flatMap((caps, index) =>
							caps === undefined ? [] : [[`a${index + 1}`, capLabel(caps)]],
						),
					}),
			rho: cell.rho,
			mean: cell.mean,
			accounts: cell.accounts,
			days: cell.days,
			runs: cell.runs,
			interruptions: cell.interruptions,
			waitHours: cell.waitHours,
			moves: cell.moves,
			p95PauseHours: cell.p95PauseHours,
			wastedShare: cell.wastedShare,
		})),
	};
}

export const command: Command = {
	name: 'simulate',
	summary: 'compare strategies, movement and kick schedulers on the interruption model',
	async run(argv, io) {
		if (argv.includes('--help') || argv.includes('-h')) {
			io.stdout(help);
			return 0;
		}

		const {cells, json, threads} = cellsFromOptions(argv);
		const total = cells.reduce((sum, cell) => sum + cell.runs, 0);
		const started = Date.now();
		let shown = 0;
		const results = await runCells(cells, {
			...(threads === undefined ? {} : {threads}),
			onProgress(done) {
				// Progress on stderr for runs that take a while, at most twice a second.
				if (Date.now() - started > 1000 && (Date.now() - shown > 500 || done === total)) {
					shown = Date.now();
					io.stderr(
						`\rsimulating: ${done}/${total} runs (${Math.floor((100 * done) / total)}%)${done === total ? '\n' : ''}`,
					);
				}
			},
		});
		io.stdout(json ? `${JSON.stringify(jsonReport(results), undefined, 2)}\n` : textTable(results));
		return 0;
	},
};
