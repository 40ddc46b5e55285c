#!/usr/bin/env node
/*
Runs the prebuilt bundle (dist/codexpool.js, `npm run build`, made by `npm install`) on plain node. When the
bundle is missing or older than anything under source/, it runs the TypeScript sources through tsx instead, so
a clone without a build and a developer editing sources both run what the sources say.
CODEXPOOL_FROM_SOURCE=1 forces the sources.
*/
import process from 'node:process';
import {bundleIsFresh, SERVE_V8_FLAGS} from './runtime.js';

// React's development build costs about four times as much per frame (bench/results/tui.md).
process.env.NODE_ENV ??= 'production';

if (process.argv[2] === 'serve') {
	// Before the heap has grown: see runtime.js.
	const v8 = await import('node:v8');
	v8.setFlagsFromString(SERVE_V8_FLAGS);
}

const bundle = new URL('../dist/codexpool.js', import.meta.url);
if (process.env.CODEXPOOL_FROM_SOURCE !== '1' && bundleIsFresh(new URL('..', import.meta.url))) {
	await import(bundle.href);
} else {
	const {register} = await import('tsx/esm/api');
	register();
	await import('../source/cli.tsx');
}
