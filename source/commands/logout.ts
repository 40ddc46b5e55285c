import {AccountNameError, resolveAccount} from '../core/accounts/resolve.ts';
import {authIssuer, revokeToken} from '../core/auth/oauth-client.ts';
import {openHomeStore, parseCommandLine} from './command-line.ts';
import {type Command, UsageError} from './types.ts';

const help = `
  Usage
    $ codexpool logout NAME [--no-revoke]

  Removes an account from the pool (NAME is its name, email, or a unique prefix) and revokes its refresh
  token where the issuer allows.

  Options
    --no-revoke   keep the token valid (for a login imported from a Codex CLI that still uses it)
    --home DIR    the codexpool home (default $CODEXPOOL_HOME, else ~/.codexpool)
`;

export const command: Command = {
	name: 'logout',
	summary: 'remove an account from the pool (and revoke its token)',
	async run(argv, io) {
		const cli = parseCommandLine(help, argv, {revoke: {type: 'boolean', default: true}});
		if (cli.flags.help) {
			io.stdout(help);
			return 0;
		}

		if (cli.input.length !== 1) {
			throw new UsageError('Name exactly one account: codexpool logout NAME (see `codexpool accounts`).');
		}

		const store = openHomeStore(cli.flags.home, io.env);
		let account: ReturnType<typeof store.listAccounts>[number];
		try {
			account = resolveAccount(cli.input[0]!, store.listAccounts());
		} catch (error) {
			if (error instanceof AccountNameError) {
				throw new UsageError(error.message);
			}

			throw error;
		}

		store.removeAccount(account.id);
		const who = `${account.name}${account.email && account.email !== account.name ? ` (${account.email})` : ''}`;
		if (!cli.flags.revoke) {
			io.stdout(`Removed ${who} from the pool. Its tokens were not revoked (--no-revoke).\n`);
			return 0;
		}

		const revoked = await revokeToken(authIssuer(io.env), account.tokens.refreshToken);
		io.stdout(
			`Removed ${who} from the pool. ` +
				(revoked
					? 'Its refresh token was revoked.\n'
					: 'Its refresh token could not be revoked (the issuer did not confirm); it stops working when it expires.\n'),
		);
		return 0;
	},
};
