import assert from 'node:assert/strict';
import {spawn, spawnSync} from 'node:child_process';
import {mkdirSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {after, before, describe, it} from 'node:test';
import {fileURLToPath, pathToFileURL} from 'node:url';
import {request} from 'undici';
import {buildBundle} from '../../bin/build.js';
import {bundleIsFresh} from '../../bin/clone.js';
import {SERVE_V8_FLAGS} from '../../bin/runtime.js';
import {makeHome, type TestHome, turn} from '../commands/serve-harness.ts';
import {watchServe} from '../helpers/serve-child.ts';
import {peakYoungGenerationMb} from '../helpers/young-generation.ts';
import {tempDir} from '../store/fixtures.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const bin = path.join(root, 'bin/codexpool.js');
// A folder of its own inside the repository (node_modules resolves from there as from dist/), never dist/ itself,
// which a codexpool started by another test may be running from.
const outdir = path.join(root, '.tmp', `bundle-test-${process.pid}`);
let entry: string;
let home: TestHome;

before(async () => {
	entry = await buildBundle(outdir);
	home = await makeHome(['alpha', 'beta']);
});

after(async () => {
	rmSync(outdir, {recursive: true, force: true});
	await home.upstream.close();
});

function run(file: string, args: readonly string[], env: NodeJS.ProcessEnv = {}) {
	return spawnSync(process.execPath, [file, ...args], {
		encoding: 'utf8',
		env: {...process.env, ...env},
		timeout: 60_000,
	});
}

describe('the bundle (npm run build)', () => {
	it('prints the version and the help on plain node', () => {
		const version = run(entry, ['--version']);
		assert.equal(version.status, 0, version.stderr);
		const {version: declared} = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as {
			version: string;
		};
		assert.equal(version.stdout, `${declared}\n`);
		const help = run(entry, ['--help']);
		assert.equal(help.status, 0, help.stderr);
		assert.match(help.stdout, /Commands/);
		assert.match(help.stdout, /serve {10}run the headless daemon/);
	});

	it('lists the accounts of a home', () => {
		const result = run(entry, ['accounts', '--home', home.home], home.env);
		assert.equal(result.status, 0, result.stderr);
		assert.match(result.stdout, /alpha/);
		assert.match(result.stdout, /beta/);
	});

	it('serves a streamed turn and stops on SIGTERM', async () => {
		const child = spawn(process.execPath, [entry, 'serve', '--port', '0', '--no-tls', '--home', home.home], {
			env: {...process.env, ...home.env},
			stdio: ['ignore', 'pipe', 'pipe'],
		});
		const served = watchServe(child);
		try {
			const url = await served.url;
			const health = await request(`${url}/healthz`);
			assert.deepEqual((await health.body.json()) as object, {ok: true, accounts: 2, usable: 2, inFlight: 0});
			const answer = await turn(url, 'bundle-session');
			assert.equal(answer.statusCode, 200);
			assert.match(answer.text, /event: response\.completed/);
		} finally {
			child.kill('SIGTERM');
		}

		assert.equal(await served.exited, 0, served.output());
		assert.match(served.output(), /Stopped\./);
	});

	it("loads the zstd compressor from the bundle, from any folder (Node 20's zlib has no zstd)", () => {
		// A body the pool changes after Codex compressed it is compressed again with this WebAssembly build.
		const chunk = readdirSync(outdir).find(
			(file) => file.endsWith('.js') && readFileSync(path.join(outdir, file), 'utf8').includes('./zstd.wasm'),
		);
		assert.ok(chunk !== undefined, 'a chunk loads zstd.wasm');
		const script = `const {default: zstd} = await import(${JSON.stringify(pathToFileURL(path.join(outdir, chunk)).href)});
await zstd.init();
const plain = Buffer.from('compress me '.repeat(1000));
const packed = zstd.compress(plain, 3);
const back = Buffer.from(zstd.decompress(packed));
console.log(packed.length < plain.length / 20 && back.equals(plain) ? 'round trip' : 'wrong');`;
		const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
			cwd: tempDir('codexpool-zstd-'),
			encoding: 'utf8',
			timeout: 60_000,
		});
		assert.equal(result.stdout.trim(), 'round trip', result.stderr);
	});

	it('runs the simulator, whose workers start from the bundle (dist/sim-worker.js)', () => {
		const result = run(entry, [
			'simulate',
			'--strategies',
			'ours',
			'--scheduler',
			'none',
			'--movement',
			'off',
			'--runs',
			'2',
			'--days',
			'2',
			'--threads',
			'2',
			'--json',
		]);
		assert.equal(result.status, 0, result.stderr);
		assert.equal((JSON.parse(result.stdout) as {cells: unknown[]}).cells.length, 1);
	});
});

describe('bin/codexpool.js', () => {
	it('runs in a clone (the bundle when fresh, else the sources through tsx), from any folder', () => {
		const elsewhere = tempDir('codexpool-elsewhere-');
		// tsx reads the tsconfig.json of the current folder unless told which: this one would break the TSX.
		writeFileSync(path.join(elsewhere, 'tsconfig.json'), '{"compilerOptions": {"jsx": "react"}}\n');
		for (const env of [{}, {CODEXPOOL_FROM_SOURCE: '1'}]) {
			const result = spawnSync(process.execPath, [bin, 'accounts', '--home', home.home], {
				cwd: elsewhere,
				encoding: 'utf8',
				env: {...process.env, ...home.env, ...env},
				timeout: 60_000,
			});
			assert.equal(result.status, 0, result.stderr);
			assert.match(result.stdout, /alpha/);
			// The control center's TSX, compiled with the clone's settings (without a terminal Ink stops later on).
			const demo = spawnSync(process.execPath, [bin, 'demo', '--accounts', '2', '--home', home.home], {
				cwd: elsewhere,
				encoding: 'utf8',
				env: {...process.env, ...home.env, ...env},
				stdio: ['ignore', 'pipe', 'pipe'],
				timeout: 60_000,
			});
			assert.doesNotMatch(demo.stderr, /React is not defined/);
		}

		rmSync(elsewhere, {recursive: true, force: true});
	});

	it('ships no way to run the sources: the installed bin runs dist/ or says it is missing', () => {
		const dir = tempDir('codexpool-installed-');
		mkdirSync(path.join(dir, 'bin'));
		for (const file of ['codexpool.js', 'runtime.js']) {
			writeFileSync(path.join(dir, 'bin', file), readFileSync(path.join(root, 'bin', file)));
		}

		writeFileSync(path.join(dir, 'package.json'), '{"type": "module"}');
		const missing = run(path.join(dir, 'bin/codexpool.js'), ['--version']);
		assert.equal(missing.status, 1);
		assert.match(missing.stderr, /this installation has no dist\/codexpool\.js .*reinstall the package/);
		mkdirSync(path.join(dir, 'dist'));
		writeFileSync(path.join(dir, 'dist/codexpool.js'), "console.log('from dist');\n");
		// Older than anything: file times do not matter in an installed package.
		utimesSync(path.join(dir, 'dist/codexpool.js'), 1000, 1000);
		const ran = run(path.join(dir, 'bin/codexpool.js'), ['--version']);
		assert.equal(ran.stdout, 'from dist\n', ran.stderr);
		rmSync(dir, {recursive: true, force: true});
	});

	it("sets serve's V8 flags after start, and they take effect: the young generation stays at 2 × 1 MB", () => {
		// Short-lived garbage with some survivors, as the proxy makes: without the flags V8 grows the young
		// generation towards 2 × 16 MB. setFlagsFromString ignores a flag it does not know, so this also catches a
		// Node whose V8 renamed one.
		const youngGeneration = (flags: string) =>
			peakYoungGenerationMb(`import v8 from 'node:v8';\nv8.setFlagsFromString(${JSON.stringify(flags)});`);
		assert.ok(youngGeneration('') > 8, 'without the flags the young generation grows');
		assert.ok(youngGeneration(SERVE_V8_FLAGS) <= 2.5, `young generation with ${SERVE_V8_FLAGS}`);
		const bin = readFileSync(path.join(root, 'bin/codexpool.js'), 'utf8');
		assert.match(bin, /if \(process\.argv\[2\] === 'serve'\) \{[^}]*setFlagsFromString\(SERVE_V8_FLAGS\)/);
	});

	it('takes the bundle only while it is as new as source/ and package.json', () => {
		const dir = tempDir('codexpool-fresh-');
		const at = (file: string, seconds: number) => utimesSync(path.join(dir, file), seconds, seconds);
		mkdirSync(path.join(dir, 'source/core'), {recursive: true});
		writeFileSync(path.join(dir, 'source/core/a.ts'), '');
		writeFileSync(path.join(dir, 'package.json'), '{}');
		for (const file of ['source/core/a.ts', 'source/core', 'source', 'package.json']) {
			at(file, 1000);
		}

		assert.equal(bundleIsFresh(dir), false, 'no bundle');
		mkdirSync(path.join(dir, 'dist'));
		writeFileSync(path.join(dir, 'dist/codexpool.js'), '');
		at('dist/codexpool.js', 1000);
		assert.equal(bundleIsFresh(dir), true, 'built at the same time as its sources');
		at('source/core/a.ts', 1001);
		assert.equal(bundleIsFresh(dir), false, 'a source file edited after the build');
		at('dist/codexpool.js', 1002);
		assert.equal(bundleIsFresh(dir), true, 'rebuilt');
		at('source/core', 1003);
		assert.equal(bundleIsFresh(dir), false, 'a file added or removed after the build');
		at('dist/codexpool.js', 1004);
		at('package.json', 1005);
		assert.equal(bundleIsFresh(dir), false, 'package.json changed after the build');
		rmSync(dir, {recursive: true, force: true});
	});
});

describe('bin/build.js', () => {
	it('builds only when run itself, not when bundled into another script that runs', async () => {
		const {build} = await import('esbuild');
		const dir = tempDir();
		const script = path.join(dir, 'includes-build.mjs');
		writeFileSync(
			path.join(dir, 'entry.mjs'),
			`import {buildBundle} from ${JSON.stringify(path.join(root, 'bin/build.js'))};\nconsole.log(typeof buildBundle);\n`,
		);
		await build({
			entryPoints: [path.join(dir, 'entry.mjs')],
			bundle: true,
			platform: 'node',
			format: 'esm',
			outfile: script,
			logLevel: 'error',
			external: ['esbuild'],
		});
		const result = spawnSync(process.execPath, [script], {encoding: 'utf8', cwd: root});
		rmSync(dir, {recursive: true, force: true});
		assert.equal(result.stderr, '');
		assert.equal(result.stdout.trim(), 'function');
		assert.equal(result.status, 0);
	});
});
