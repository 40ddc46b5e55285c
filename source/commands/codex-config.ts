import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {parseCommandLine} from './account-cli.ts';
import {type Command, UsageError} from './types.ts';

const help = `
  Usage
    $ codexpool codex-config [--write] [--port PORT] [--host HOST] [--key-env NAME]

  Prints the lines that point Codex CLI at the pool: a custom model provider named "codexpool" that works
  over plain HTTP (codex-cli-observed.md §1, variant D). With --write, merges them into
  $CODEX_HOME/config.toml (default ~/.codex/config.toml), keeping everything else, after a backup.

  Options
    --write          merge into config.toml (a backup is written first; running twice changes nothing)
    --port PORT      the port \`codexpool serve\` listens on (default 4455)
    --host HOST      where the pool runs (default 127.0.0.1); beyond loopback it needs --key-env
    --key-env NAME   Codex sends the pool key found in $NAME (see \`codexpool keys create\`) instead of
                     its own ChatGPT login: for a pool that requires keys; Codex needs no login then

  Examples
    $ codexpool codex-config --write
    $ codexpool codex-config --write --host 10.0.0.5 --key-env CODEXPOOL_KEY
`;

const providerTable = 'model_providers.codexpool';

/** Where the pool is and how Codex authenticates to it. */
export type PoolTarget = {
	readonly port: number;
	readonly host?: string | undefined;
	/** Variant E: Codex sends the pool key from this environment variable (no ChatGPT login needed). */
	readonly keyEnv?: string | undefined;
};

type Entry = readonly [key: string, value: string | undefined];

/**
The settings that point Codex at the pool: top-level keys and the provider table. An undefined value removes
a key left by the other variant.
*/
export function poolSettings(target: PoolTarget | number): {topLevel: Entry[]; table: Entry[]} {
	const {port, host = '127.0.0.1', keyEnv} = typeof target === 'number' ? {port: target} : target;
	const origin = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
	const table: Entry[] = [
		['name', '"codexpool"'],
		['base_url', `"${origin}/backend-api/codex"`],
		['wire_api', '"responses"'],
	];
	if (keyEnv === undefined) {
		return {
			topLevel: [
				['model_provider', '"codexpool"'],
				['chatgpt_base_url', `"${origin}/backend-api/"`],
			],
			table: [...table, ['requires_openai_auth', 'true'], ['env_key', undefined]],
		};
	}

	return {
		topLevel: [['model_provider', '"codexpool"']],
		table: [...table, ['env_key', `"${keyEnv}"`], ['requires_openai_auth', undefined]],
	};
}

/** The snippet `codex-config` prints. */
export function configSnippet(target: PoolTarget | number): string {
	const {topLevel, table} = poolSettings(target);
	const lines = (entries: Entry[]) =>
		entries.flatMap(([key, value]) => (value === undefined ? [] : [`${key} = ${value}`]));
	return [...lines(topLevel), '', `[${providerTable}]`, ...lines(table), ''].join('\n');
}

const notes = `
# Notes
# - Codex stays logged in as it is (\`codex login\`): with requires_openai_auth it sends its own ChatGPT
#   token, and codexpool replaces it with the token of the pooled account it picks. Codex still refreshes
#   its own login now and then: if you imported that same login (\`codexpool import ~/.codex\`), the two copies
#   share one single-use refresh token and one of them will need a new login. Add pooled accounts with
#   \`codexpool login\` to avoid that (or use --key-env, which needs no Codex login at all).
# - Codex keeps the model provider each session was recorded with (Codex CLI 0.169, tested): sessions from
#   before this change (provider "openai") are not shown by \`codex resume\` or --last, and resuming one by
#   id fails ("Cannot change this thread's model provider"). Resume such a session without the pool:
#   \`codex resume -c model_provider=openai SESSION_ID\`. Sessions started through the pool resume normally.
# - A custom provider goes without a few extras of the built-in one (zstd request bodies, the routing hint,
#   WebSocket); nothing the pool needs.
# - Top-level keys must come before any [table] in config.toml: use --write rather than appending by hand.
`;

/**
Merges the pool's settings into the text of a config.toml, keeping everything else: our top-level keys are
replaced where they are or added before the first table; the provider table's keys likewise, the table
appended when missing. Running it on its own output changes nothing.
*/
export function mergeCodexConfig(text: string, target: PoolTarget | number): string {
	const {topLevel, table} = poolSettings(target);
	const lines = text === '' ? [] : text.replace(/\r?\n$/, '').split(/\r?\n/);
	const headers = findHeaders(lines);
	const topEnd = headers[0]?.line ?? lines.length;
	assertNoOtherForm(lines, headers, topEnd);
	const added = setKeys(lines, 0, topEnd, topLevel);
	if (added && headers.length > 0 && topEnd === 0) {
		// Keys were added above a file that starts with a table: separate them.
		lines.splice(topLevel.filter(([, value]) => value !== undefined).length, 0, '');
	}

	const after = findHeaders(lines);
	const providerHeader = after.find((header) => header.name === providerTable && !header.array);
	if (providerHeader === undefined) {
		trimTrailingBlank(lines);
		lines.push('', `[${providerTable}]`);
		setKeys(lines, lines.length, lines.length, table);
	} else {
		const next = after.find((header) => header.line > providerHeader.line)?.line ?? lines.length;
		setKeys(lines, providerHeader.line + 1, next, table);
	}

	return `${lines.join('\n')}\n`;
}

type Header = {line: number; name: string; array: boolean};

/** Table headers outside multi-line strings, with their dotted names normalised (`"a" . b` → `a.b`). */
function findHeaders(lines: readonly string[]): Header[] {
	const headers: Header[] = [];
	let inString: string | undefined;
	lines.forEach((line, index) => {
		for (const quote of ['"""', "'''"]) {
			const count = line.split(quote).length - 1;
			if ((inString === undefined || inString === quote) && count % 2 === 1) {
				inString = inString === undefined ? quote : undefined;
				return;
			}
		}

		if (inString !== undefined) {
			return;
		}

		const match = /^\s*(\[\[?)([^\]]+)\]\]?\s*(#.*)?$/.exec(line);
		if (match) {
			const name = match[2]!
				.split('.')
				.map((part) => part.trim().replace(/^["']|["']$/g, ''))
				.join('.');
			headers.push({line: index, name, array: match[1] === '[['});
		}
	});
	return headers;
}

/**
Sets `key = value` lines in lines[start, end), removing keys whose value is undefined; returns whether any
key had to be added.
*/
function setKeys(lines: string[], start: number, end: number, entries: readonly Entry[]): boolean {
	const missing: string[] = [];
	let stop = end;
	for (const [key, value] of entries) {
		const pattern = new RegExp(`^\\s*["']?${key}["']?\\s*=`);
		const index = lines.slice(start, stop).findIndex((line) => pattern.test(line));
		if (index === -1) {
			if (value !== undefined) {
				missing.push(`${key} = ${value}`);
			}
		} else if (value === undefined) {
			lines.splice(start + index, 1);
			stop--;
		} else {
			lines[start + index] = `${key} = ${value}`;
		}
	}

	let insertAt = stop;
	while (insertAt > start && lines[insertAt - 1]!.trim() === '') {
		insertAt--;
	}

	lines.splice(insertAt, 0, ...missing);
	return missing.length > 0;
}

/** Refuses forms of our settings that a line-based edit would get wrong (dotted keys, inline tables). */
function assertNoOtherForm(lines: readonly string[], headers: readonly Header[], topEnd: number): void {
	const inTop = lines.slice(0, topEnd).some((line) => /^\s*["']?model_providers["']?\s*[.=]/.test(line));
	const providersTable = headers.find((header) => header.name === 'model_providers');
	const inProviders =
		providersTable !== undefined &&
		lines
			.slice(
				providersTable.line + 1,
				headers.find((header) => header.line > providersTable.line)?.line ?? lines.length,
			)
			.some((line) => /^\s*["']?codexpool["']?\s*[.=]/.test(line));
	if (inTop || inProviders) {
		throw new Error(
			'config.toml defines model_providers with dotted keys or an inline table, which codexpool cannot edit safely. ' +
				'Add the lines `codexpool codex-config` prints by hand.',
		);
	}
}

function trimTrailingBlank(lines: string[]): void {
	while (lines.length > 0 && lines.at(-1)!.trim() === '') {
		lines.pop();
	}
}

/** $CODEX_HOME (which must exist, as Codex requires), else ~/.codex. */
export function codexHome(env: NodeJS.ProcessEnv): string {
	const fromEnv = env.CODEX_HOME?.trim();
	if (fromEnv) {
		if (!fs.existsSync(fromEnv)) {
			throw new Error(`CODEX_HOME is ${fromEnv}, which does not exist. Create it or unset CODEX_HOME.`);
		}

		return fromEnv;
	}

	return path.join(os.homedir(), '.codex');
}

/** Writes the merged config (after a timestamped backup of the old one); returns what was done. */
export function writeCodexConfig(
	file: string,
	target: PoolTarget | number,
	now = new Date(),
): {changed: boolean; backup: string | undefined} {
	const exists = fs.existsSync(file);
	const before = exists ? fs.readFileSync(file, 'utf8') : '';
	const after = mergeCodexConfig(before, target);
	if (after === before) {
		return {changed: false, backup: undefined};
	}

	fs.mkdirSync(path.dirname(file), {recursive: true, mode: 0o700});
	let backup: string | undefined;
	if (exists) {
		backup = `${file}.codexpool-backup-${now.toISOString().replaceAll(':', '-')}`;
		fs.copyFileSync(file, backup, fs.constants.COPYFILE_EXCL);
	}

	const mode = exists ? fs.statSync(file).mode & 0o777 : 0o600;
	const temp = `${file}.codexpool-${process.pid}.tmp`;
	fs.writeFileSync(temp, after, {mode});
	fs.renameSync(temp, file);
	return {changed: true, backup};
}

export const command: Command = {
	name: 'codex-config',
	summary: 'print (or --write into ~/.codex/config.toml) the lines that point Codex CLI at the pool',
	async run(argv, io) {
		const cli = parseCommandLine(help, argv, {
			write: {type: 'boolean'},
			port: {type: 'string'},
			host: {type: 'string'},
			keyEnv: {type: 'string'},
		});
		if (cli.flags.help) {
			io.stdout(help);
			return 0;
		}

		if (cli.input.length > 0) {
			throw new UsageError(`\`codexpool codex-config\` takes no arguments (got "${cli.input.join(' ')}").`);
		}

		const target = parseTarget(cli.flags.port, cli.flags.host, cli.flags.keyEnv);
		const where = `http://${target.host}:${target.port}`;
		const extra = target.keyEnv === undefined ? notes : keyedNotes(target.keyEnv);
		if (!cli.flags.write) {
			io.stdout(
				'# Point Codex CLI at codexpool (or let `codexpool codex-config --write` merge this in):\n\n',
			);
			io.stdout(configSnippet(target));
			io.stdout(extra);
			return 0;
		}

		const file = path.join(codexHome(io.env), 'config.toml');
		const {changed, backup} = writeCodexConfig(file, target);
		if (!changed) {
			io.stdout(`${file} already points Codex CLI at codexpool on ${where}: nothing changed.\n`);
			return 0;
		}

		io.stdout(
			`Updated ${file}: Codex CLI now uses codexpool on ${where}` +
				`${backup ? ` (the previous file is in ${backup})` : ''}.\n` +
				'Start the pool with `codexpool serve`.\n' +
				extra,
		);
		return 0;
	},
};

function keyedNotes(keyEnv: string): string {
	return `
# Notes
# - Codex sends the pool key it finds in $${keyEnv}: create one with \`codexpool keys create --name codex\`
#   and \`export ${keyEnv}=cxp_...\` where you run codex. Codex needs no ChatGPT login of its own this way.
# - Codex then uses its built-in model list (it does not ask the pool); choose one with \`model = "..."\`.
# - Codex keeps the model provider each session was recorded with: sessions from before this change do not
#   resume through the pool (see \`codexpool codex-config\` without --key-env for the details).
`;
}

const loopback = new Set(['127.0.0.1', 'localhost', '::1']);

function parseTarget(
	portText: string | undefined,
	host = '127.0.0.1',
	keyEnv: string | undefined,
): {port: number; host: string; keyEnv: string | undefined} {
	const port = portText === undefined ? 4455 : Number(portText);
	if (portText !== undefined && (!/^\d+$/.test(portText) || port < 1 || port > 65_535)) {
		throw new UsageError(`--port must be a port number from 1 to 65535 (got "${portText}").`);
	}

	if (!/^[\w.:-]+$/.test(host)) {
		throw new UsageError(`--host must be a host name or an IP address (got "${host}").`);
	}

	if (keyEnv !== undefined && !/^[A-Za-z_]\w*$/.test(keyEnv)) {
		throw new UsageError(
			`--key-env must name an environment variable, such as CODEXPOOL_KEY (got "${keyEnv}").`,
		);
	}

	if (keyEnv === undefined && !loopback.has(host)) {
		throw new UsageError(
			`A pool on ${host} requires a pool key from every client: add --key-env CODEXPOOL_KEY (and create the key with \`codexpool keys create\`).`,
		);
	}

	return {port, host, keyEnv};
}
