import {createPoolKeys, PoolKeyError} from '../core/keys/pool-keys.ts';
import type {PoolKeyRecord} from '../core/store/types.ts';
import {openHomeStore, parseCommandLine} from './command-line.ts';
import {type Command, UsageError} from './types.ts';

const help = `
  Usage
    $ codexpool keys create [--name N]
    $ codexpool keys list [--json]
    $ codexpool keys revoke ID
    $ codexpool keys require [on|off]

  Pool keys let OpenAI-compatible clients (the OpenAI SDKs, OpenCode, curl) use the pool:
  send one as \`Authorization: Bearer cxp_...\`. A key is shown once, when created; the pool keeps only
  its hash. Loopback clients may omit the key unless \`keys require on\`; beyond loopback it is required
  (serve --host 0.0.0.0 refuses to start without it).

  Options
    --name N      a name for the new key (default key-1, key-2, ...)
    --json        list as JSON
    --home DIR    the codexpool home (default $CODEXPOOL_HOME, else ~/.codexpool)
`;

/** What `keys list --json` prints for one key: never the hash. */
export function describeKey(record: PoolKeyRecord) {
	return {
		id: record.id,
		name: record.name,
		prefix: record.prefix,
		createdAt: new Date(record.createdAt).toISOString(),
		lastUsedAt: record.lastUsedAt === undefined ? null : new Date(record.lastUsedAt).toISOString(),
	};
}

export const command: Command = {
	name: 'keys',
	summary: 'create, list and revoke pool keys for OpenAI-compatible clients',
	async run(argv, io) {
		const cli = parseCommandLine(help, argv, {name: {type: 'string'}, json: {type: 'boolean'}});
		if (cli.flags.help) {
			io.stdout(help);
			return 0;
		}

		const [action, ...rest] = cli.input;
		const keys = () => createPoolKeys(openHomeStore(cli.flags.home, io.env));
		try {
			switch (action) {
				case 'create': {
					expectArguments(rest, 0, 'keys create [--name N]');
					const {key, record} = keys().create(cli.flags.name);
					io.stdout(
						`Created pool key "${record.name}" (${record.id}):\n\n  ${key}\n\nCopy it now: it is not shown again. Clients send it as \`Authorization: Bearer ${record.prefix}...\`.\n`,
					);
					return 0;
				}

				case 'list': {
					expectArguments(rest, 0, 'keys list [--json]');
					const records = keys().list();
					if (cli.flags.json) {
						io.stdout(`${JSON.stringify(records.map(describeKey), undefined, 2)}\n`);
					} else if (records.length === 0) {
						io.stdout('No pool keys yet. Create one with `codexpool keys create --name NAME`.\n');
					} else {
						const rows = records.map((record) => {
							const described = describeKey(record);
							return [
								record.id,
								record.name,
								`${record.prefix}…`,
								described.createdAt,
								described.lastUsedAt ?? 'never',
							];
						});
						io.stdout(table([['ID', 'NAME', 'PREFIX', 'CREATED', 'LAST USED'], ...rows]));
					}

					return 0;
				}

				case 'revoke': {
					expectArguments(rest, 1, 'keys revoke ID');
					const record = keys().revoke(rest[0]!);
					io.stdout(`Revoked pool key "${record.name}" (${record.id}): clients using it now get 401.\n`);
					return 0;
				}

				case 'require': {
					const store = openHomeStore(cli.flags.home, io.env);
					const [value] = rest;
					if (rest.length > 1 || (value !== undefined && value !== 'on' && value !== 'off')) {
						throw new UsageError('Usage: codexpool keys require [on|off]');
					}

					if (value !== undefined) {
						if (value === 'on' && store.getKeys().length === 0) {
							throw new UsageError(
								'Create a key first (`codexpool keys create`): with none, no client could get in.',
							);
						}

						store.setSettings({requireKey: value === 'on'});
					}

					io.stdout(
						store.getSettings().requireKey
							? 'Pool keys are required from every client (a running pool applies this at once).\n'
							: 'Loopback clients may call without a pool key; clients beyond loopback always need one.\n',
					);
					return 0;
				}

				default: {
					throw new UsageError(
						action === undefined
							? 'Say what to do: `codexpool keys create`, `keys list`, `keys revoke ID` or `keys require on|off`.'
							: `Unknown keys action "${action}": use create, list, revoke or require.`,
					);
				}
			}
		} catch (error) {
			if (error instanceof PoolKeyError) {
				throw new UsageError(error.message);
			}

			throw error;
		}
	},
};

function expectArguments(rest: readonly string[], count: number, usage: string): void {
	if (rest.length !== count) {
		throw new UsageError(
			count === 0
				? `Unexpected argument "${rest.join(' ')}". Usage: codexpool ${usage}`
				: `Name the key to revoke by its id or name. Usage: codexpool ${usage} (see \`codexpool keys list\`).`,
		);
	}
}

function table(rows: readonly (readonly string[])[]): string {
	const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
	return rows
		.map(
			(row) =>
				`${row
					.map((cell, column) => cell.padEnd(widths[column]!))
					.join('  ')
					.trimEnd()}\n`,
		)
		.join('');
}
