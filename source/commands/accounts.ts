import type {AccountRecord} from '../core/store/types.ts';
import {openHomeStore, parseCommandLine} from './command-line.ts';
import {type Command, UsageError} from './types.ts';

const help = `
  Usage
    $ codexpool accounts [--json]

  Lists the saved accounts: name, email, plan, marks and whether one needs a fresh login. Never shows tokens.

  Options
    --json        print them as JSON
    --home DIR    the codexpool home (default $CODEXPOOL_HOME, else ~/.codexpool)
`;

/** What `accounts --json` prints for one account: everything but the tokens. */
export function describeAccount(account: AccountRecord) {
	return {
		id: account.id,
		name: account.name,
		email: account.email ?? null,
		plan: account.plan,
		marks: account.marks,
		needsLogin: account.needsLogin === undefined ? null : account.needsLogin,
		lastRefresh:
			account.tokens.lastRefresh === undefined ? null : new Date(account.tokens.lastRefresh).toISOString(),
		addedAt: new Date(account.addedAt).toISOString(),
	};
}

export const command: Command = {
	name: 'accounts',
	summary: 'list the saved accounts',
	async run(argv, io) {
		const cli = parseCommandLine(help, argv, {json: {type: 'boolean'}});
		if (cli.flags.help) {
			io.stdout(help);
			return 0;
		}

		if (cli.input.length > 0) {
			throw new UsageError(`\`codexpool accounts\` takes no arguments (got "${cli.input.join(' ')}").`);
		}

		const accounts = openHomeStore(cli.flags.home, io.env).listAccounts();
		if (cli.flags.json) {
			io.stdout(`${JSON.stringify(accounts.map(describeAccount), undefined, 2)}\n`);
			return 0;
		}

		if (accounts.length === 0) {
			io.stdout('No accounts yet. Add one with `codexpool import ~/.codex` or `codexpool login`.\n');
			return 0;
		}

		const rows = accounts.map((account) => [
			account.name,
			account.email ?? '-',
			account.plan,
			marksText(account),
			account.needsLogin === undefined ? 'ok' : 'NEEDS LOGIN',
		]);
		io.stdout(table([['NAME', 'EMAIL', 'PLAN', 'MARKS', 'LOGIN'], ...rows]));
		for (const account of accounts) {
			if (account.needsLogin !== undefined) {
				io.stdout(`\n${account.name}: ${account.needsLogin.message}\n`);
			}
		}

		return 0;
	},
};

function marksText(account: AccountRecord): string {
	const marks = (['pinned', 'drained', 'evicted'] as const).filter((mark) => account.marks[mark]);
	return marks.length === 0 ? '-' : marks.join(',');
}

function table(rows: readonly (readonly string[])[]): string {
	const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
	return rows
		.map((row) => `${row.map((cell, column) => cell.padEnd(widths[column]!)).join('  ')}`.trimEnd() + '\n')
		.join('');
}
