import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {currentDamage, type StoreDamage} from '../core/store/damage.ts';
import {storeFileName} from '../core/store/store.ts';

/**
What of the home's store was set aside (a damaged file, accounts that could not be used), as lines to print
around any command, so a damaged store is never taken for an empty one. Read straight from the file (nothing
is opened, created or set aside here); the command itself reports a store it cannot read.
*/
export function storeDamageLines(argv: readonly string[], env: NodeJS.ProcessEnv): string[] {
	const home = homeOf(argv, env);
	let entries: readonly StoreDamage[] | undefined;
	try {
		entries = (
			JSON.parse(fs.readFileSync(path.join(home, storeFileName), 'utf8')) as {damage?: StoreDamage[]}
		).damage;
	} catch {
		return [];
	}

	return Array.isArray(entries) ? currentDamage(entries).map((entry) => `codexpool: ${entry.message}\n`) : [];
}

/** The home a command's arguments name (`--home DIR`, `--home=DIR`), else the environment's, as resolveHome. */
function homeOf(argv: readonly string[], env: NodeJS.ProcessEnv): string {
	let flag: string | undefined;
	for (const [index, arg] of argv.entries()) {
		if (arg === '--home') {
			flag = argv[index + 1];
		} else if (arg.startsWith('--home=')) {
			flag = arg.slice('--home='.length);
		}
	}

	const chosen = [flag, env.CODEXPOOL_HOME].find((value) => value !== undefined && value.trim() !== '');
	const home = chosen ?? path.join(os.homedir(), '.codexpool');
	return path.resolve(home === '~' || home.startsWith('~/') ? path.join(os.homedir(), home.slice(1)) : home);
}
