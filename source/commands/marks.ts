import type {MarkAction} from '../core/core-actions.ts';
import {resolveHome} from '../core/home.ts';
import {actOnHome} from './act.ts';
import {parseCommandLine} from './command-line.ts';
import {type Command, UsageError} from './types.ts';

const summaries: Readonly<Record<MarkAction, string>> = {
	pin: 'send new sessions to one account while it is usable (several pinned accounts share them)',
	unpin: 'undo pin',
	drain: 'no new sessions for an account; running ones finish there',
	evict: 'no traffic at all for an account; its sessions move to other accounts on their next request',
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

			return actOnHome(resolveHome(cli.flags.home, io.env), io, async (core) => core[action](name));
		},
	};
}

export const pin = markCommand('pin');
export const unpin = markCommand('unpin');
export const drain = markCommand('drain');
export const evict = markCommand('evict');
export const restore = markCommand('restore');
