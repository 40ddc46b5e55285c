import {readdirSync, statSync} from 'node:fs';
import path from 'node:path';
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
covered). A few hundred stat calls, a few milliseconds. A packed install gives every file one mtime: fresh.
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
