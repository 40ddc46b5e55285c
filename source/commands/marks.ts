import {AccountNameError} from '../core/accounts/resolve.ts';
import {actOnDaemon, findDaemon} from '../core/control/daemon-client.ts';
import {type MarkAction, markInStore} from '../core/control/marks.ts';
import {resolveHome} from '../core/home.ts';
import {openStore} from '../core/store/store.ts';
import {parseCommandLine} from './command-line.ts';
import {type Command, UsageError} from './types.ts';

const summaries: Readonly<Record<MarkAction, string>> = {
	pin: 'send all new sessions to one account while it is usable',
	unpin: 'undo pin',
	drain: 'no new sessions for an account; running ones finish there',
	evict: 'no traffic at all for an account; its sessions move now',
	restore: 'clear every mark of an account (pin, drain, evict)',
};

function help(action: MarkAction): string {
	return `
  Usage
    $ codexpool ${action} NAME

  ${summaries[action][0]!.toUpperCase()}${summaries[action].slice(1)}.
  NAME is the account's name, email, id, or a unique prefix of one (see \`codexpool accounts\`).
  With a daemon serving this home, the change takes effect at once; otherwise it is saved in the store and
  applies when the pool next starts. Marks survive restarts; \`codexpool restore NAME\` clears them.

  Options
    --home DIR    the codexpool home (default $CODEXPOOL_HOME, else ~/.codexpool)

  Example
    $ codexpool ${action} work
`;
}

function markCommand(action: MarkAction): Command {
	return {
		name: action,
		summary: summaries[action],
		async run(argv, io) {
			const text = help(action);
			const cli = parseCommandLine(text, argv, {});
			if (cli.flags.help) {
				io.stdout(text);
				return 0;
			}

			const [name, ...extra] = cli.input;
			if (name === undefined || extra.length > 0) {
				throw new UsageError(
					`Name exactly one account: codexpool ${action} NAME (its name, email or a unique prefix; see \`codexpool accounts\`).`,
				);
			}

			const home = resolveHome(cli.flags.home, io.env);
			const daemon = await findDaemon(home);
			if (daemon !== undefined) {
				const result = await actOnDaemon(daemon, async (core) => core[action](name));
				if (!result.ok) {
					io.stderr(`codexpool: ${result.message}\n`);
					return 1;
				}

				io.stdout(`${result.message}\n(Applied by the daemon at ${daemon.url}: in effect now.)\n`);
				return 0;
			}

			try {
				const {message} = markInStore(openStore(home), action, name);
				io.stdout(
					`${message}\n(No daemon serves ${home}: saved in the store; it applies when the pool starts.)\n`,
				);
				return 0;
			} catch (error) {
				if (error instanceof AccountNameError) {
					io.stderr(`codexpool: ${error.message}\n`);
					return 1;
				}

				throw error;
			}
		},
	};
}

export const pin = markCommand('pin');
export const unpin = markCommand('unpin');
export const drain = markCommand('drain');
export const evict = markCommand('evict');
export const restore = markCommand('restore');
