import type {SchedulerSnapshot} from '../core/contract.ts';
import {openHomeCore} from '../core/control/home-core.ts';
import {describeSchedulerSettings, parseQuietSpan} from '../core/control/scheduler-settings.ts';
import {formatDuration} from '../core/duration.ts';
import {resolveHome} from '../core/home.ts';
import type {SchedulerChange} from '../core/model.ts';
import {actOnHome} from './act.ts';
import {parseCommandLine} from './command-line.ts';
import {type Command, UsageError} from './types.ts';

const help = `
  Usage
    $ codexpool scheduler [on|off] [--dry-run|--no-dry-run] [--policy rotate-restart|stagger] [--accounts a,b] [--quiet 22:00-07:00|--no-quiet]

  The staggering scheduler kicks idle accounts (the smallest request the upstream accepts) at planned
  moments, so their 5-hour windows reset apart instead of together. Without arguments: its settings and,
  with a daemon running, the next kicks. Changes apply at once to a running daemon, else from its next start.

  Options
    on | off             turn it on or off
    --dry-run            plan and log the kicks, send nothing (--no-dry-run: send them)
    --policy P           rotate-restart (default, measured best by the simulator: the stagger rotation, and
                         a restart at every weekly reset) or stagger (every 5 h / N); ours = rotate-restart
    --accounts a,b       the accounts it may kick (names, emails or prefixes); --accounts all for every one
    --quiet START-END    no kicks between these local times (e.g. 22:00-07:00); --no-quiet removes them
    --home DIR           the codexpool home (default $CODEXPOOL_HOME, else ~/.codexpool)

  Examples
    $ codexpool scheduler on --dry-run
    $ codexpool scheduler --quiet 23:00-07:30 --accounts work,personal
`;

export const command: Command = {
	name: 'scheduler',
	summary: 'show or change the staggering scheduler: on/off, dry run, policy, accounts, quiet hours',
	async run(argv, io) {
		const cli = parseCommandLine(help, argv, {
			dryRun: {type: 'boolean'},
			policy: {type: 'string'},
			accounts: {type: 'string'},
			quiet: {type: 'string'},
		});
		if (cli.flags.help) {
			io.stdout(help);
			return 0;
		}

		const change = changeFrom(cli.input, argv, cli.flags);
		const home = resolveHome(cli.flags.home, io.env);
		if (Object.keys(change).length > 0) {
			return actOnHome(home, io, async (core) => core.setScheduler(change));
		}

		const opened = await openHomeCore(home);
		try {
			io.stdout(planText(opened.core.getSnapshot(), opened.kind === 'store' ? home : undefined));
			return 0;
		} finally {
			await opened.close();
		}
	},
};

/** The settings, then the plan: only a running pool has one, and an off scheduler shows none. */
function planText(
	snapshot: {
		scheduler: SchedulerSnapshot;
		accounts: readonly {id: string; name: string; email: string | undefined}[];
		now: number;
	},
	storeOnly: string | undefined,
): string {
	const {scheduler, accounts, now} = snapshot;
	const lines = [
		`${describeSchedulerSettings({...scheduler, accounts: scheduler.accounts ?? []}, accounts)}.`,
	];
	if (storeOnly !== undefined) {
		lines.push(`No daemon serves ${storeOnly}: the plan of next kicks exists only while the pool runs.`);
	} else if (scheduler.enabled) {
		const name = (id: string) => accounts.find((account) => account.id === id)?.name ?? id;
		const kicks = [...scheduler.nextKicks].sort((a, b) => a.at - b.at);
		lines.push(
			kicks.length === 0
				? 'No kick planned.'
				: `Next kicks${scheduler.dryRun ? ' (dry run: logged, not sent)' : ''}:`,
		);
		for (const kick of kicks) {
			lines.push(`  ${name(kick.accountId)} in ${formatDuration(kick.at - now)}: ${kick.reason}`);
		}

		for (const entry of scheduler.notKicked ?? []) {
			lines.push(`  not kicked: ${name(entry.accountId)}, ${entry.reason}`);
		}
	}

	return `${lines.join('\n')}\n`;
}

function changeFrom(
	input: readonly string[],
	argv: readonly string[],
	flags: {policy?: string | undefined; accounts?: string | undefined; quiet?: string | boolean | undefined},
): SchedulerChange {
	const [toggle, ...extra] = input;
	if (extra.length > 0 || (toggle !== undefined && toggle !== 'on' && toggle !== 'off')) {
		throw new UsageError(
			`Say on or off (got "${input.join(' ')}"). Usage: codexpool scheduler [on|off] [options]`,
		);
	}

	const change: {-readonly [K in keyof SchedulerChange]: SchedulerChange[K]} = {};
	if (toggle !== undefined) {
		change.enabled = toggle === 'on';
	}

	// meow reports an absent boolean as false: only a flag the user typed changes the setting.
	const dryRun = lastSwitch(argv, 'dry-run');
	if (dryRun !== undefined) {
		change.dryRun = dryRun;
	}

	if (flags.policy !== undefined) {
		change.policy = flags.policy;
	}

	if (flags.accounts !== undefined) {
		const names = flags.accounts.split(',').map((part) => part.trim());
		if (names.some((part) => part === '')) {
			throw new UsageError(`--accounts takes names separated by commas, or "all"; got "${flags.accounts}".`);
		}

		change.accounts = names.length === 1 && names[0] === 'all' ? [] : names;
	}

	if (lastSwitch(argv, 'quiet') === false) {
		change.quietHours = null;
	} else if (typeof flags.quiet === 'string') {
		try {
			change.quietHours = parseQuietSpan(flags.quiet);
		} catch (error) {
			throw new UsageError((error as Error).message);
		}
	}

	return change;
}

/** true for `--NAME`, false for `--no-NAME`, the last one typed winning; undefined when neither was. */
function lastSwitch(argv: readonly string[], name: string): boolean | undefined {
	let value: boolean | undefined;
	for (const argument of argv) {
		if (argument === '--') {
			break;
		}

		if (argument === `--${name}` || argument === `--${name}=true`) {
			value = true;
		} else if (argument === `--no-${name}` || argument === `--${name}=false`) {
			value = false;
		}
	}

	return value;
}
