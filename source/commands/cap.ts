import {resolveHome} from '../core/home.ts';
import type {AccountCaps} from '../core/model.ts';
import {actOnHome} from './act.ts';
import {parseCommandLine} from './command-line.ts';
import {type Command, UsageError} from './types.ts';

const help = `
  Usage
    $ codexpool cap NAME --five-hour 90 --weekly 80
    $ codexpool cap NAME --off

  Never burn this account past a share of its windows: at its cap an account takes no new work and no
  moves, as if the window were exhausted, and its sessions move to other accounts (without an error the
  user sees) until the window resets. For an account also used directly, or by someone else, or kept in
  reserve. Give one window or both; a cap is a percent from 1 to 100. --off takes the caps off.
  Not the same as sequential's --threshold: a threshold moves new work on and still uses the account when
  nothing else is left; a cap forbids.

  NAME is the account's name, email, id, or a unique prefix of one (see \`codexpool accounts\`).
  With a daemon serving this home, the change takes effect at once; otherwise it is saved in the store and
  applies when the pool next starts.

  Options
    --five-hour N   cap on the 5-hour window (percent used)
    --weekly N      cap on the weekly window (percent used)
    --off           no caps
    --home DIR      the codexpool home (default $CODEXPOOL_HOME, else ~/.codexpool)

  Example
    $ codexpool cap work --weekly 80
`;

const flags = {
	fiveHour: {type: 'string'},
	weekly: {type: 'string'},
	off: {type: 'boolean', default: false},
} as const;

function percent(option: string, value: string | undefined): number | undefined {
	if (value === undefined) {
		return undefined;
	}

	const parsed = Number(value);
	if (value.trim() === '' || !Number.isFinite(parsed) || parsed < 1 || parsed > 100) {
		throw new UsageError(`--${option} "${value}" is not a percent from 1 to 100.`);
	}

	return parsed;
}

/** The caps the options ask for: undefined for --off. */
export function capsFromOptions(argv: readonly string[]): {name: string; caps: AccountCaps | undefined} {
	const cli = parseCommandLine(help, argv, flags);
	const [name, ...extra] = cli.input;
	if (name === undefined || extra.length > 0) {
		throw new UsageError(
			'Name exactly one account: codexpool cap NAME --five-hour 90 --weekly 80 (or --off).',
		);
	}

	const fiveHour = percent('five-hour', cli.flags.fiveHour);
	const weekly = percent('weekly', cli.flags.weekly);
	if (cli.flags.off) {
		if (fiveHour !== undefined || weekly !== undefined) {
			throw new UsageError('--off takes every cap off: give it alone, or give the caps without it.');
		}

		return {name, caps: undefined};
	}

	if (fiveHour === undefined && weekly === undefined) {
		throw new UsageError('Give a cap (--five-hour N, --weekly N) or --off: codexpool cap NAME --weekly 80.');
	}

	return {
		name,
		caps: {...(fiveHour === undefined ? {} : {fiveHour}), ...(weekly === undefined ? {} : {weekly})},
	};
}

export const command: Command = {
	name: 'cap',
	summary: 'cap an account at a share of its 5-hour and weekly windows (or --off)',
	async run(argv, io) {
		if (argv.includes('--help') || argv.includes('-h')) {
			io.stdout(help);
			return 0;
		}

		const {name, caps} = capsFromOptions(argv);
		return actOnHome(resolveHome(parseCommandLine(help, argv, flags).flags.home, io.env), io, async (core) =>
			core.setCaps(name, caps),
		);
	},
};
