import {readdirSync, statSync} from 'node:fs';
import path from 'node:path';
import {fileURLToPath} from 'node:url';

/**
The V8 flags `codexpool serve` sets on itself (v8.setFlagsFromString, first thing in bin/codexpool.js). The proxy
allocates a few hundred KB per streamed turn, nearly all dead within milliseconds, and keeps some of it (stream
state, chunks queued for a slow client) for the length of the turn. By default V8 lets the young generation
grow to 2 × 16 MB under that load and lets the old generation, where the long-lived part is promoted, grow to
several times its live size before collecting it; both stay resident. Both flags are read by V8 at each
collection, so setting them after start takes effect (bench/results/proxy.md: the bin's row against the
bundle started without them). After start is also the only way for the first: given on the command line, a
semi-space growth factor below 2 is raised to 2 when the heap is set up (measured: the young generation
still grows to 2 × 16 MB), while set at run time it holds:
- `--semi-space-growth-factor=1`: the young generation keeps its initial 2 × 1 MB;
- `--heap-growing-percent=30`: the old generation may grow 30% past its live size before a full collection,
  which also frees the promoted chunks' memory (Buffers) sooner.
They cost some CPU per request (more frequent, smaller collections): see the same report.
*/
export const SERVE_V8_FLAGS = '--semi-space-growth-factor=1 --heap-growing-percent=30';

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
