import os from 'node:os';
import path from 'node:path';
import {historyFolder} from '../core/history/record.ts';
import {writeRetentionDays} from '../core/history/writer.ts';
import {resolveHome} from '../core/home.ts';
import {DEFAULT_KICK_POLICY, kickPolicyNames} from '../core/kicks/index.ts';
import {analyse} from '../core/replay/analysis.ts';
import {collect} from '../core/replay/collect.ts';
import {jsonReport} from '../core/replay/report.ts';
import {textReport} from '../core/replay/text-report.ts';
import {DEFAULT_STRATEGY, strategyNames} from '../core/strategies/index.ts';
import {parseCommandLine} from './command-line.ts';
import {type Command, UsageError} from './types.ts';

/** Our default, codex-lb's default, round-robin and drain-first (strategies.md). */
const WHAT_IF_STRATEGIES = [DEFAULT_STRATEGY, 'capacity-weighted', 'round-robin', 'sequential'];

const help = `
  Usage
    $ codexpool replay [options]

  Replays your own Codex history: how often you were stopped by usage limits, and how often you would have
  been with 1..N accounts, under our default strategy, codex-lb's default, round-robin and drain-first, with
  session movement and our kicks. Reads Codex's rollouts (sessions/ and archived_sessions/, .jsonl and
  .jsonl.zst) and the pool's own request history (<home>/history). Nothing of a conversation's content is
  read into memory beyond one line at a time, printed or stored.

  Options
    --codex-home DIR         a Codex home to read (repeatable; default $CODEX_HOME, else ~/.codex)
    --days 30                the last N days (default 30)
    --since 2026-11-01       from this date (UTC) instead of --days
    --accounts 1..6          pool sizes to try: a range or a list (default 1..6)
    --plans plus,pro         plans to build pools from, every mix (default: the plans seen, else plus)
    --strategies a,b|all     default: ${WHAT_IF_STRATEGIES.join(', ')}; all: ${strategyNames.join(', ')}
    --movement on|off        session movement in the what-ifs (default on)
    --scheduler NAME         kick policy in the what-ifs (default ${DEFAULT_KICK_POLICY}): ${kickPolicyNames.join(', ')}
    --pool-history on|off    also read the pool's own history in --home (default on)
    --keep-days N            set how many days of request history the daemon keeps (default 90), then exit
    --json                   print {"history", "costModel", "selfCheck", "whatIf", "recommendation"}
`;

const flags = {
	codexHome: {type: 'string', isMultiple: true},
	days: {type: 'string', default: '30'},
	since: {type: 'string'},
	accounts: {type: 'string', default: '1..6'},
	plans: {type: 'string'},
	strategies: {type: 'string'},
	movement: {type: 'string', default: 'on'},
	scheduler: {type: 'string', default: DEFAULT_KICK_POLICY},
	poolHistory: {type: 'string', default: 'on'},
	keepDays: {type: 'string'},
	json: {type: 'boolean', default: false},
} as const;

function list(option: string, value: string): string[] {
	const items = value.split(',').map((item) => item.trim());
	if (items.some((item) => item === '')) throw new UsageError(`--${option} "${value}" has an empty item.`);
	return [...new Set(items)];
}

/** "1..6" or "1,2,4": whole numbers from 1 to 20. */
export function accountCounts(value: string): number[] {
	const range = /^(\d+)\.\.(\d+)$/.exec(value.trim());
	const counts = range
		? Array.from(
				{length: Math.max(0, Number(range[2]) - Number(range[1]) + 1)},
				(_, index) => Number(range[1]) + index,
			)
		: list('accounts', value).map(Number);
	if (counts.length === 0 || counts.some((count) => !Number.isInteger(count) || count < 1 || count > 20)) {
		throw new UsageError(`--accounts "${value}": give a range like 1..6 or a list like 1,2,3 (1 to 20).`);
	}

	return counts;
}

function onOff(option: string, value: string): boolean {
	if (value !== 'on' && value !== 'off') throw new UsageError(`--${option} takes on or off, not "${value}".`);
	return value === 'on';
}

function sinceOf(days: string, since: string | undefined, now: number): number {
	if (since !== undefined) {
		const parsed = Date.parse(since.length === 10 ? `${since}T00:00:00Z` : since);
		if (!Number.isFinite(parsed)) throw new UsageError(`--since "${since}" is not a date like 2026-11-01.`);
		return parsed;
	}

	const count = Number(days);
	if (!Number.isFinite(count) || count <= 0)
		throw new UsageError(`--days "${days}" is not a number of days above 0.`);
	return now - count * 86_400_000;
}

export const command: Command = {
	name: 'replay',
	summary: 'replay your own Codex history: how many accounts, and which strategy',
	async run(argv, io) {
		const cli = parseCommandLine(help, argv, flags);
		const f = cli.flags;
		if (f.help) {
			io.stdout(help);
			return 0;
		}

		if (cli.input.length > 0)
			throw new UsageError(`replay takes no arguments, only options (got "${cli.input[0]}").`);
		const home = resolveHome(f.home, io.env);
		if (f.keepDays !== undefined) {
			const days = Number(f.keepDays);
			if (!Number.isInteger(days) || days < 1 || days > 3650) {
				throw new UsageError(`--keep-days "${f.keepDays}" is not a whole number of days from 1 to 3650.`);
			}

			await writeRetentionDays(historyFolder(home), days);
			io.stdout(`The pool keeps ${days} days of request history (in ${historyFolder(home)}).\n`);
			return 0;
		}

		const codexHomes =
			f.codexHome !== undefined && f.codexHome.length > 0
				? f.codexHome.map((dir) => path.resolve(dir))
				: [io.env.CODEX_HOME ?? path.join(os.homedir(), '.codex')];
		const strategies = f.strategies === undefined ? WHAT_IF_STRATEGIES : list('strategies', f.strategies);
		const chosen = strategies.includes('all') ? [...strategyNames] : strategies;
		for (const name of chosen) {
			if (!strategyNames.includes(name)) {
				throw new UsageError(
					`--strategies: unknown "${name}". Choose from: ${strategyNames.join(', ')}, or all.`,
				);
			}
		}

		if (!kickPolicyNames.includes(f.scheduler)) {
			throw new UsageError(
				`--scheduler: unknown "${f.scheduler}". Choose from: ${kickPolicyNames.join(', ')}.`,
			);
		}

		const accounts = accountCounts(f.accounts);
		const movement = onOff('movement', f.movement);
		const since = sinceOf(f.days, f.since, Date.now());
		const collected = await collect({
			codexHomes,
			poolHistory: onOff('pool-history', f.poolHistory) ? historyFolder(home) : undefined,
			since,
		});
		const seenPlans = [...new Set(collected.plans.values())];
		const plans =
			f.plans === undefined ? (seenPlans.length > 0 ? seenPlans : ['plus']) : list('plans', f.plans);
		const analysis = analyse(collected, {
			accounts,
			plans,
			strategies: chosen,
			recommendStrategy: chosen.includes(DEFAULT_STRATEGY) ? DEFAULT_STRATEGY : chosen[0]!,
			movement,
			scheduler: f.scheduler,
		});
		io.stdout(f.json ? `${JSON.stringify(jsonReport(analysis), undefined, 2)}\n` : textReport(analysis));
		return 0;
	},
};
