#!/usr/bin/env node
/*
Runs the prebuilt bundle (dist/codexpool.js) on plain node. The installed package ships only bin/ and dist/
(package.json `files`), so that is all it ever runs: no TypeScript loader, no guessing from file times.
A clone of the repository (source/ next to bin/) may run its sources instead: see bin/clone.js, which is not
shipped.
*/
import {existsSync} from 'node:fs';
import process from 'node:process';
import {SERVE_V8_FLAGS} from './runtime.js';

// React's development build costs about four times as much per frame (bench/results/tui.md).
process.env.NODE_ENV ??= 'production';

if (process.argv[2] === 'serve') {
	// Before the heap has grown: see runtime.js.
	const v8 = await import('node:v8');
	v8.setFlagsFromString(SERVE_V8_FLAGS);
}

const root = new URL('..', import.meta.url);
const bundle = new URL('dist/codexpool.js', root);
if (existsSync(new URL('source/cli.tsx', root))) {
	const {runClone} = await import('./clone.js');
	await runClone(root);
} else if (existsSync(bundle)) {
	await import(bundle.href);
} else {
	process.stderr.write(
		`codexpool: this installation has no dist/codexpool.js (${bundle.pathname}); reinstall the package.\n`,
	);
	process.exitCode = 1;
}
