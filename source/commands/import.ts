import path from 'node:path';
import {importLogins} from '../core/auth/import.ts';
import {openHomeStore, parseCommandLine} from './command-line.ts';
import {type Command, UsageError} from './types.ts';

const help = `
  Usage
    $ codexpool import PATH [--name NAME]

  PATH is a Codex auth.json, a CODEX_HOME folder (such as ~/.codex), or a folder of *.auth.json files
  (as multi-account wrappers keep them). Every ChatGPT account found is saved in the codexpool home.
  Two logins of the same ChatGPT account are one account: the newer tokens are kept. In a folder, the
  usable logins are imported and each file that is not one is listed with what is wrong; the exit code is
  0 when at least one account was imported, 1 when nothing was (and nothing is changed then).

  Options
    --name NAME   name the account (only when PATH holds one account; default: its email)
    --home DIR    the codexpool home (default $CODEXPOOL_HOME, else ~/.codexpool)

  Example
    $ codexpool import ~/.codex --name work
`;

export const command: Command = {
	name: 'import',
	summary: 'import a Codex auth.json, or every account under a CODEX_HOME-style folder',
	async run(argv, io) {
		const cli = parseCommandLine(help, argv, {name: {type: 'string'}});
		if (cli.flags.help) {
			io.stdout(help);
			return 0;
		}

		const [target, ...extra] = cli.input;
		if (target === undefined || extra.length > 0) {
			throw new UsageError(
				'Give exactly one PATH: a Codex auth.json or a folder holding one. Example: codexpool import ~/.codex',
			);
		}

		const name = cli.flags.name?.trim();
		if (name === '') {
			throw new UsageError('--name needs a value, e.g. --name work.');
		}

		const store = openHomeStore(cli.flags.home, io.env);
		const {outcomes, skipped} = importLogins(store, path.resolve(target), {name, now: Date.now()});
		for (const outcome of outcomes) {
			const who = `${outcome.name}${outcome.email && outcome.email !== outcome.name ? ` (${outcome.email})` : ''}`;
			const words = {
				added: `Added ${who}, plan ${outcome.plan}, from ${outcome.file}.`,
				updated: `${who} was already saved (same ChatGPT account); took the newer tokens from ${outcome.file}.`,
				unchanged: `${who} is already saved (same ChatGPT account); kept its tokens, which are as new or newer than ${outcome.file}'s.`,
			};
			io.stdout(
				outcome.needsLogin
					? `${who} is already saved and needs a fresh login; ${outcome.file} holds the same refused login. Run \`codexpool login --name ${outcome.name}\`.\n`
					: `${words[outcome.kind]}\n`,
			);
			for (const duplicate of outcome.duplicates) {
				io.stdout(`  ${duplicate} is another login of the same ChatGPT account: not added twice.\n`);
			}
		}

		if (skipped.length > 0) {
			io.stderr(
				`Not imported, ${skipped.length} ${skipped.length === 1 ? 'file that is not a usable login' : 'files that are not usable logins'}:\n`,
			);
			for (const {file, problem} of skipped) {
				io.stderr(`  ${path.basename(file)}: ${problem}\n`);
			}
		}

		io.stdout(
			'\nNote: an imported login shares its refresh token with the Codex CLI that wrote the file. Whichever refreshes ' +
				'first invalidates the other copy; if codexpool later reports "needs login", run `codexpool login --name NAME` ' +
				'(a separate login that nothing else uses).\n',
		);
		return 0;
	},
};
