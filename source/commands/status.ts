import {openHomeCore} from '../core/control/home-core.ts';
import {statusText} from '../core/control/status-text.ts';
import {resolveHome} from '../core/home.ts';
import {parseCommandLine} from './command-line.ts';
import {type Command, UsageError} from './types.ts';

const help = `
  Usage
    $ codexpool status [--json]

  The pool at a glance: each account's plan, state, 5-hour and weekly usage with their resets, the strategy,
  the scheduler's next kicks and the totals. With a daemon serving this home, its live state; otherwise what
  the store knows (accounts, marks, logins, settings; usage is known only while the pool runs).

  Options
    --json        print the snapshot (the admin API's GET /api/state) as JSON, plus "daemon"
    --home DIR    the codexpool home (default $CODEXPOOL_HOME, else ~/.codexpool)

  Example
    $ codexpool status --json | jq '.accounts[] | {name, state}'
`;

export const command: Command = {
	name: 'status',
	summary: 'one-shot state of the pool (as the control center shows it), or --json',
	async run(argv, io) {
		const cli = parseCommandLine(help, argv, {json: {type: 'boolean'}});
		if (cli.flags.help) {
			io.stdout(help);
			return 0;
		}

		if (cli.input.length > 0) {
			throw new UsageError(`\`codexpool status\` takes no arguments (got "${cli.input.join(' ')}").`);
		}

		const home = resolveHome(cli.flags.home, io.env);
		const opened = await openHomeCore(home);
		const {daemon} = opened;
		const snapshot = opened.core.getSnapshot();
		await opened.close();
		if (cli.flags.json) {
			io.stdout(`${JSON.stringify({...snapshot, daemon: daemon ?? null}, undefined, 2)}\n`);
			return 0;
		}

		io.stdout(
			daemon === undefined
				? `No daemon serves ${home} (start one with \`codexpool serve\`): showing what the store knows.\n\n`
				: `Daemon at ${daemon.url} (pid ${daemon.pid}), up ${upFor(Date.now() - daemon.startedAt)}.\n\n`,
		);
		io.stdout(statusText(snapshot));
		return 0;
	},
};

function upFor(ms: number): string {
	const minutes = Math.floor(ms / 60_000);
	return minutes < 1
		? 'under a minute'
		: minutes < 60
			? `${minutes} min`
			: `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}
