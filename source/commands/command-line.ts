import meow, {type AnyFlags, type Result} from 'meow';
import {resolveHome} from '../core/home.ts';
import {openStore, type Store} from '../core/store/store.ts';
import {UsageError} from './types.ts';

/**
Parses a command's arguments with meow without letting meow exit the process (commands also run
in-process in tests): --help is returned, unknown flags throw a UsageError.
*/
export function parseCommandLine<Flags extends AnyFlags>(
	help: string,
	argv: readonly string[],
	flags: Flags,
): Result<Flags & {home: {type: 'string'}; help: {type: 'boolean'}}> {
	const all = {...flags, home: {type: 'string'}, help: {type: 'boolean', shortFlag: 'h'}} as const;
	const known = new Set(Object.keys(all).map(kebab));
	const shortKnown = new Set(
		Object.values(all).flatMap((flag) => ('shortFlag' in flag && flag.shortFlag ? [flag.shortFlag] : [])),
	);
	for (const argument of argv) {
		if (argument === '--') {
			break;
		}

		if (argument.startsWith('--')) {
			const name = argument.slice(2).split('=')[0]!.replace(/^no-/, '');
			if (!known.has(name)) {
				throw new UsageError(`Unknown option --${name}.${firstLine(help)}`);
			}
		} else if (/^-[a-zA-Z]/.test(argument) && !shortKnown.has(argument.slice(1, 2))) {
			throw new UsageError(`Unknown option ${argument}.${firstLine(help)}`);
		}
	}

	return meow(help, {
		importMeta: import.meta,
		argv: [...argv],
		flags: all,
		autoHelp: false,
		autoVersion: false,
	}) as Result<Flags & {home: {type: 'string'}; help: {type: 'boolean'}}>;
}

/** Opens the store of the home the command line names (`--home`, `$CODEXPOOL_HOME`, `~/.codexpool`). */
export function openHomeStore(flagHome: string | undefined, env: NodeJS.ProcessEnv): Store {
	return openStore(resolveHome(flagHome, env));
}

function kebab(name: string): string {
	return name.replaceAll(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`);
}

function firstLine(help: string): string {
	const usage = help
		.split('\n')
		.map((line) => line.trim())
		.find((line) => line.startsWith('$ '));
	return usage === undefined ? '' : ` Usage: ${usage.slice(2)}`;
}
