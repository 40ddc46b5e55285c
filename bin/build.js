#!/usr/bin/env node
/*
Builds dist/codexpool.js: the CLI bundled by esbuild, so that `codexpool` runs on plain node without the tsx
loader (about 30 MB less resident memory for `codexpool serve`, see bench/results/proxy.md). `npm install` runs
it (the `prepare` script); bin/codexpool.js uses the bundle while it is newer than source/, else tsx.

Usage: node bin/build.js [--outdir DIR]   (default dist/; tests build into a folder of their own)

Code splitting keeps the commands lazy: `codexpool serve` never loads Ink or React. The output is written
into a fresh folder next to the target and swapped in, so a codexpool already running from dist/ never sees a
half-written bundle.
*/
import {existsSync, readFileSync, renameSync, rmSync} from 'node:fs';
import path from 'node:path';
import process from 'node:process';
import {fileURLToPath} from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

/** Options for esbuild; exported for tests. */
export function buildOptions(outdir) {
	return {
		entryPoints: {codexpool: path.join(root, 'source/cli.tsx')},
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
		// Every output file sits in outdir itself: the source-relative import.meta.url below counts on it.
		chunkNames: '[name]-[hash]',
		// Ink loads its devtools only under DEV=true, from a package codexpool does not install.
		external: ['react-devtools-core'],
		// Some CommonJS dependencies call require(); an ESM bundle has none of its own.
		banner: {
			js: "import {createRequire as __codexpoolCreateRequire} from 'node:module'; const require = __codexpoolCreateRequire(import.meta.url);",
		},
		plugins: [sourceRelativeImportMeta(outdir)],
	};
}

/**
A few modules find files next to themselves (the simulator's worker script, the soak's proxy child, meow's
package.json): in the bundle, their `import.meta.url` is made to name their own source file again, so those
paths resolve as they do when run from source.
*/
function sourceRelativeImportMeta(outdir) {
	return {
		name: 'source-relative-import-meta',
		setup(build) {
			build.onLoad({filter: /[\\/]source[\\/].*\.tsx?$/}, (args) => {
				const text = readFileSync(args.path, 'utf8');
				if (!text.includes('import.meta.url')) {
					return undefined;
				}

				const relative = path.relative(outdir, args.path).split(path.sep).join('/');
				return {
					contents: text.replaceAll(
						'import.meta.url',
						`new URL(${JSON.stringify(relative)}, import.meta.url).href`,
					),
					loader: args.path.endsWith('.tsx') ? 'tsx' : 'ts',
				};
			});
		},
	};
}

export async function buildBundle(outdir = path.join(root, 'dist')) {
	const {build} = await import('esbuild');
	const target = path.resolve(outdir);
	const fresh = `${target}.building-${process.pid}`;
	rmSync(fresh, {recursive: true, force: true});
	// Chunks are found relative to the entry, so building in `fresh` and renaming it keeps every path right.
	await build(buildOptions(fresh));
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
