#!/usr/bin/env node
/*
Builds dist/: the CLI bundled by esbuild with every dependency it runs (Ink, React, meow, conf, cron, undici, ws,
fzstd...), so the installed package is bin/ and dist/ alone, runs on plain node with no node_modules of its own
and no TypeScript loader (about 30 MB less resident memory for `codexpool serve` than under tsx, see
bench/results/proxy.md). `npm install` in a clone runs it (`prepare`), and so does `npm pack`.

Usage: node bin/build.js [--outdir DIR]   (default dist/; tests build into a folder of their own)

Two entries: dist/codexpool.js (the CLI) and dist/sim-worker.js (a simulator worker thread, started by
source/core/sim/worker-pool.ts from the chunk next to it). Code splitting keeps the commands lazy: `codexpool
serve` never loads Ink or React. The output is written into a fresh folder next to the target and swapped in, so
a codexpool already running from dist/ never sees a half-written bundle.
*/
import {
	copyFileSync,
	existsSync,
	readdirSync,
	readFileSync,
	renameSync,
	rmSync,
	writeFileSync,
} from 'node:fs';
import {createRequire} from 'node:module';
import path from 'node:path';
import process from 'node:process';
import {fileURLToPath} from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

/** Options for esbuild; exported for tests. */
export function buildOptions(outdir) {
	return {
		entryPoints: {
			codexpool: path.join(root, 'source/cli.tsx'),
			'sim-worker': path.join(root, 'source/core/sim/worker.ts'),
		},
		outdir,
		bundle: true,
		splitting: true,
		format: 'esm',
		platform: 'node',
		target: 'node20',
		// Not minified: stack traces in bug reports stay readable. The price, measured: V8 keeps the source text of
		// the loaded chunks in the heap (4.1 MB for serve); without whitespace it would be 1.7 MB (~3 MB less RSS).
		minify: false,
		legalComments: 'none',
		logLevel: 'warning',
		// Every output file sits in outdir itself: worker-pool.ts finds sim-worker.js next to its own chunk.
		chunkNames: '[name]-[hash]',
		// Ink loads its devtools only under DEV=true, from a package codexpool does not install.
		external: ['react-devtools-core'],
		// Some CommonJS dependencies call require(), and the zstd compressor reads its zstd.wasm from __dirname; an
		// ESM bundle has neither. Each chunk sits in outdir, next to the zstd.wasm copied there.
		banner: {
			js: "import {createRequire as __codexpoolCreateRequire} from 'node:module'; import {dirname as __codexpoolDirnameOf} from 'node:path'; import {fileURLToPath as __codexpoolFileURLToPath} from 'node:url'; const require = __codexpoolCreateRequire(import.meta.url); const __codexpoolDirname = __codexpoolDirnameOf(__codexpoolFileURLToPath(import.meta.url));",
		},
		// Only a free __dirname (CommonJS code) is replaced; a module's own binding of that name is left alone.
		define: {__dirname: '__codexpoolDirname'},
	};
}

/**
The licences of the packages bundled into dist/ (their code ships inside it, so their notices ship next to it):
each package whose files esbuild read, with its LICENSE file or, lacking one, the licence package.json names.
*/
function thirdPartyLicenses(metafile) {
	const folders = new Map();
	for (const input of Object.keys(metafile.inputs)) {
		const match = /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(input);
		if (match) {
			folders.set(match[1], path.resolve(root, match[1]));
		}
	}

	const sections = [];
	for (const folder of [...folders.values()].sort()) {
		const {name, version, license} = JSON.parse(readFileSync(path.join(folder, 'package.json'), 'utf8'));
		const file = readdirSync(folder).find((entry) => /^licen[cs]e/i.test(entry));
		const text =
			file === undefined
				? `License: ${license ?? 'not stated'}`
				: readFileSync(path.join(folder, file), 'utf8');
		sections.push(`${name} ${version}\n\n${text.trim()}\n`);
	}

	return `codexpool bundles these packages into dist/.\n\n${sections.join(`\n${'-'.repeat(72)}\n\n`)}`;
}

/** The WebAssembly zstd compressor's binary (source/core/http/zstd.ts loads it on Node without zstd in zlib). */
function zstdWasm() {
	const entry = createRequire(import.meta.url).resolve('@bokuweb/zstd-wasm');
	return path.join(path.dirname(entry), 'zstd.wasm');
}

/** esbuild is a devDependency: a clone needs `npm install` before it can build (or pack). */
async function loadEsbuild() {
	try {
		return await import('esbuild');
	} catch (error) {
		if (error?.code === 'ERR_MODULE_NOT_FOUND') {
			throw new Error(
				'esbuild is not installed. Run `npm install` in this folder first: it installs the build tools (devDependencies) and builds dist/.',
			);
		}

		throw error;
	}
}

export async function buildBundle(outdir = path.join(root, 'dist')) {
	const {build} = await loadEsbuild();
	const target = path.resolve(outdir);
	const fresh = `${target}.building-${process.pid}`;
	rmSync(fresh, {recursive: true, force: true});
	// Chunks are found relative to the entry, so building in `fresh` and renaming it keeps every path right.
	const {metafile} = await build({...buildOptions(fresh), metafile: true});
	writeFileSync(path.join(fresh, 'THIRD-PARTY-LICENSES.txt'), thirdPartyLicenses(metafile));
	copyFileSync(zstdWasm(), path.join(fresh, 'zstd.wasm'));
	const old = `${target}.old-${process.pid}`;
	if (existsSync(target)) {
		renameSync(target, old);
	}

	renameSync(fresh, target);
	rmSync(old, {recursive: true, force: true});
	return path.join(target, 'codexpool.js');
}

// Run as a script: this file itself, not a bundle that includes it (bench:proxy bundles its child mode, and
// import.meta.url there is the bundle's own, which is also the script being run).
const self = fileURLToPath(import.meta.url);
if (
	process.argv[1] !== undefined &&
	path.resolve(process.argv[1]) === self &&
	path.basename(self) === 'build.js'
) {
	const flag = process.argv.indexOf('--outdir');
	const outdir = flag === -1 ? undefined : process.argv[flag + 1];
	try {
		const entry = await buildBundle(outdir === undefined ? undefined : path.resolve(outdir));
		process.stdout.write(`codexpool: built ${path.relative(process.cwd(), entry) || entry}\n`);
	} catch (error) {
		process.stderr.write(`codexpool: the build failed: ${error instanceof Error ? error.message : error}\n`);
		process.exitCode = 1;
	}
}
