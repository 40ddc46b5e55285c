import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

// What `codexpool codex-config` writes into Codex's config.toml, and the line-based merge that keeps the rest.

const providerTable = 'model_providers.codexpool';

/**
Where the pool is and how Codex reaches it (codex-cli-observed.md §1):
- `tlsPort` given (and no `keyEnv`): variant A, Codex keeps its built-in "openai" provider, with
  `openai_base_url` on the pool's HTTP port and `chatgpt_base_url` on its HTTPS port (Codex then needs
  `CODEX_CA_CERTIFICATE`); sessions recorded before stay resumable.
- otherwise variant D, a custom provider "codexpool" over plain HTTP; with `keyEnv`, the keyed variant (E).
A bare number means variant D on that port.
*/
export type PoolTarget = {
	readonly port: number;
	readonly host?: string | undefined;
	/** Variant E: Codex sends the pool key from this environment variable (no ChatGPT login needed). */
	readonly keyEnv?: string | undefined;
	/** Variant A: the pool's HTTPS port (`codexpool serve --tls-port`). */
	readonly tlsPort?: number | undefined;
};

export type Variant = 'builtin' | 'custom' | 'keyed';

/** Which variant a target asks for. */
export function variantOf(target: PoolTarget | number): Variant {
	if (typeof target === 'number') {
		return 'custom';
	}

	if (target.keyEnv !== undefined) {
		return 'keyed';
	}

	return target.tlsPort === undefined ? 'custom' : 'builtin';
}

type Entry = readonly [key: string, value: string | undefined];

/**
The settings that point Codex at the pool: top-level keys and the provider table (undefined: leave the table
as it is). An undefined value removes a key left by another variant.
*/
export function poolSettings(target: PoolTarget | number): {topLevel: Entry[]; table: Entry[] | undefined} {
	const {port, host = '127.0.0.1', keyEnv, tlsPort} = typeof target === 'number' ? {port: target} : target;
	const authority = host.includes(':') ? `[${host}]` : host;
	const origin = `http://${authority}:${port}`;
	if (variantOf(target) === 'builtin') {
		// The provider table of variant D stays: sessions recorded through it resume with -c model_provider=codexpool.
		return {
			topLevel: [
				['model_provider', undefined],
				['openai_base_url', `"${origin}/backend-api/codex"`],
				// The HTTPS listener is on 127.0.0.1 only, whatever loopback name the HTTP one was given.
				['chatgpt_base_url', `"https://127.0.0.1:${tlsPort}/backend-api/"`],
			],
			table: undefined,
		};
	}

	const table: Entry[] = [
		['name', '"codexpool"'],
		['base_url', `"${origin}/backend-api/codex"`],
		['wire_api', '"responses"'],
		// Codex uses the Responses WebSocket mode with a custom provider only when told it is served (the pool does).
		['supports_websockets', 'true'],
	];
	if (keyEnv === undefined) {
		return {
			topLevel: [
				['model_provider', '"codexpool"'],
				['openai_base_url', undefined],
				['chatgpt_base_url', `"${origin}/backend-api/"`],
			],
			table: [...table, ['requires_openai_auth', 'true'], ['env_key', undefined]],
		};
	}

	return {
		topLevel: [
			['model_provider', '"codexpool"'],
			['openai_base_url', undefined],
		],
		table: [...table, ['env_key', `"${keyEnv}"`], ['requires_openai_auth', undefined]],
	};
}

/** The snippet `codex-config` prints. */
export function configSnippet(target: PoolTarget | number): string {
	const {topLevel, table} = poolSettings(target);
	const lines = (entries: Entry[]) =>
		entries.flatMap(([key, value]) => (value === undefined ? [] : [`${key} = ${value}`]));
	if (table === undefined) {
		return [...lines(topLevel), ''].join('\n');
	}

	return [...lines(topLevel), '', `[${providerTable}]`, ...lines(table), ''].join('\n');
}

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
	if (table !== undefined) {
		assertNoOtherForm(lines, headers, topEnd);
	}

	const added = setKeys(lines, 0, topEnd, topLevel);
	if (added && headers.length > 0 && topEnd === 0) {
		// Keys were added above a file that starts with a table: separate them.
		lines.splice(topLevel.filter(([, value]) => value !== undefined).length, 0, '');
	}

	if (table === undefined) {
		return `${lines.join('\n')}\n`;
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
