import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
The codexpool home folder: `--home` when given, else `$CODEXPOOL_HOME`, else `~/.codexpool`. The folder is
created (mode 0700: it holds every account's tokens) when missing; an existing folder is left as it is,
since the user may have pointed `--home` at a folder of their own.
*/
export function resolveHome(flagHome: string | undefined, env: NodeJS.ProcessEnv): string {
	const chosen = nonEmpty(flagHome) ?? nonEmpty(env.CODEXPOOL_HOME) ?? path.join(os.homedir(), '.codexpool');
	const home = path.resolve(expandTilde(chosen));
	ensurePrivateFolder(home);
	return home;
}

/** Creates `folder` (and its parents) with mode 0700 when it does not exist yet. */
export function ensurePrivateFolder(folder: string): void {
	if (fs.existsSync(folder)) {
		if (!fs.statSync(folder).isDirectory()) {
			throw new Error(`${folder} is a file, not a folder: choose another home with --home DIR.`);
		}

		return;
	}

	try {
		fs.mkdirSync(folder, {recursive: true, mode: 0o700});
		// mkdir's mode is filtered by the umask; make sure the folder really is private.
		fs.chmodSync(folder, 0o700);
	} catch (error) {
		const reason = error instanceof Error ? error.message : String(error);
		throw new Error(
			`Cannot create the codexpool home ${folder} (${reason}): choose another with --home DIR.`,
		);
	}
}

function nonEmpty(value: string | undefined): string | undefined {
	return value === undefined || value.trim() === '' ? undefined : value;
}

function expandTilde(value: string): string {
	if (value === '~') {
		return os.homedir();
	}

	return value.startsWith('~/') ? path.join(os.homedir(), value.slice(2)) : value;
}
