/*
How bin/codexpool.js runs in a clone of the repository (source/ next to bin/). Not shipped: the installed package
(package.json `files`) has no source/ and always runs dist/. In a clone, the bundle is run while it is at least as
new as what it was built from, else the TypeScript sources through tsx (a devDependency), so a clone without a
build and a developer editing sources both run what the sources say. CODEXPOOL_FROM_SOURCE=1 forces the sources.
*/
import {readdirSync, statSync} from 'node:fs';
import path from 'node:path';
import process from 'node:process';
import {fileURLToPath} from 'node:url';

/** The newest modification time under `dir` (files and folders, so a deleted file counts too). */
function newestUnder(dir) {
	let newest = statSync(dir).mtimeMs;
	for (const entry of readdirSync(dir, {withFileTypes: true})) {
		const full = path.join(dir, entry.name);
		newest = Math.max(newest, entry.isDirectory() ? newestUnder(full) : statSync(full).mtimeMs);
	}

	return newest;
}

/**
Whether `<root>/dist/codexpool.js` exists and is at least as new as what it was built from: every file and
folder under source/, and package.json (`npm install` rebuilds through `prepare`, so new dependencies are
covered). A few hundred stat calls, a few milliseconds.
*/
export function bundleIsFresh(root) {
	const base = root instanceof URL ? fileURLToPath(root) : root;
	let built;
	try {
		built = statSync(path.join(base, 'dist', 'codexpool.js')).mtimeMs;
	} catch {
		return false;
	}

	try {
		const inputs = Math.max(
			newestUnder(path.join(base, 'source')),
			statSync(path.join(base, 'package.json')).mtimeMs,
		);
		return built >= inputs;
	} catch {
		return false;
	}
}

/** Runs the clone's bundle when fresh, else its sources through tsx. */
export async function runClone(root) {
	if (process.env.CODEXPOOL_FROM_SOURCE !== '1' && bundleIsFresh(root)) {
		await import(new URL('dist/codexpool.js', root).href);
		return;
	}

	const {register} = await import('tsx/esm/api');
	// The clone's own tsconfig.json, whatever the current folder (tsx otherwise reads the one in the cwd).
	register({tsconfig: fileURLToPath(new URL('tsconfig.json', root))});
	await import(new URL('source/cli.tsx', root).href);
}
