import assert from 'node:assert/strict';
import {execFileSync, spawn, spawnSync} from 'node:child_process';
import {copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {after, before, describe, it} from 'node:test';
import {setTimeout as delay} from 'node:timers/promises';
import {fileURLToPath} from 'node:url';
import {request} from 'undici';
import {buildBundle} from '../../bin/build.js';
import {directorySize} from '../helpers/directory-size.ts';
import {watchServe} from '../helpers/serve-child.ts';

/*
The package as a stranger gets it: packed, installed with `npm install -g` into a prefix of its own, run from a
folder outside the repository. The install uses an empty npm cache and --offline, so it succeeds only if the
package needs nothing from a registry (its dependencies are bundled into dist/).

The tarball is packed from a staging copy (package.json, the files `npm pack` lists, and a fresh build of dist/)
rather than from the repository itself: `npm pack` there rebuilds dist/, which a codexpool started by another test
may be running from.
*/

const root = fileURLToPath(new URL('../..', import.meta.url));
const {version} = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as {version: string};
const work = mkdtempSync(path.join(tmpdir(), 'codexpool-install-'));
const prefix = path.join(work, 'prefix');
const installed = path.join(prefix, 'lib/node_modules/codexpool');
const codexpool = path.join(prefix, 'bin/codexpool');
// A folder a stranger might run it from: outside the repository, with a tsconfig.json of its own that would break
// a run-time TypeScript loader (the old bin fell back to tsx, which read it: "React is not defined").
const elsewhere = path.join(work, 'elsewhere');
const home = path.join(work, 'home');
const env = {
	...process.env,
	PATH: `${path.dirname(process.execPath)}${path.delimiter}${process.env.PATH ?? ''}`,
	HOME: home,
	CODEXPOOL_HOME: path.join(home, '.codexpool'),
	// The package's own choice must hold, not the test runner's.
	NODE_ENV: '',
};
const hasTmux = spawnSync('tmux', ['-V']).status === 0;
const socket = `codexpool-install-${process.pid}`;
let installStarted = 0;
let installSeconds = 0;

function npm(args: readonly string[], cwd: string): string {
	return execFileSync('npm', [...args, '--no-audit', '--no-fund', '--no-update-notifier'], {
		cwd,
		encoding: 'utf8',
		env: {...env, npm_config_cache: path.join(work, 'npm-cache')},
		stdio: ['ignore', 'pipe', 'pipe'],
	});
}

/** The files `npm pack` puts in the package, as it lists them. */
function packed(): string[] {
	const listed = JSON.parse(npm(['pack', '--dry-run', '--json', '--ignore-scripts'], root)) as [
		{files: {path: string}[]},
	];
	return listed[0].files.map(({path: file}) => file);
}

function run(args: readonly string[]) {
	return spawnSync(codexpool, args, {cwd: elsewhere, encoding: 'utf8', env, timeout: 30_000});
}

before(async () => {
	mkdirSync(elsewhere, {recursive: true});
	mkdirSync(home, {recursive: true});
	writeFileSync(path.join(elsewhere, 'tsconfig.json'), '{"compilerOptions": {"jsx": "react"}}\n');
	const stage = path.join(work, 'stage');
	for (const file of packed().filter((file) => !file.startsWith('dist/'))) {
		mkdirSync(path.dirname(path.join(stage, file)), {recursive: true});
		copyFileSync(path.join(root, file), path.join(stage, file));
	}

	await buildBundle(path.join(stage, 'dist'));
	npm(['pack', '--ignore-scripts', '--pack-destination', work], stage);
	installStarted = Date.now();
	npm(['install', '-g', '--prefix', prefix, path.join(work, `codexpool-${version}.tgz`), '--offline'], work);
	installSeconds = (Date.now() - installStarted) / 1000;
});

after(() => {
	if (hasTmux) {
		spawnSync('tmux', ['-L', socket, 'kill-server']);
	}

	rmSync(work, {recursive: true, force: true});
});

describe('the installed package (npm pack, npm install -g --offline from an empty cache)', () => {
	it('ships what it runs: bin and dist, no sources, no node_modules, within 10 MB', (t) => {
		for (const file of packed()) {
			assert.match(
				file,
				/^(bin\/codexpool\.js|bin\/runtime\.js|dist\/.+|docs\/.+\.md|bench\/results\/.+\.md|package\.json|readme\.md|LICENSE)$/,
			);
		}

		assert.ok(existsSync(path.join(installed, 'dist/codexpool.js')));
		assert.ok(existsSync(path.join(installed, 'dist/sim-worker.js')));
		assert.ok(existsSync(path.join(installed, 'dist/THIRD-PARTY-LICENSES.txt')));
		assert.equal(existsSync(path.join(installed, 'source')), false, 'no source/');
		assert.equal(existsSync(path.join(installed, 'node_modules')), false, 'no dependencies to install');
		const megabytes = directorySize(installed) / 1024 / 1024;
		t.diagnostic(
			`installed size ${megabytes.toFixed(1)} MB; npm install -g took ${installSeconds.toFixed(1)} s`,
		);
		assert.ok(megabytes <= 10, `installed size ${megabytes.toFixed(1)} MB`);
	});

	it('ships every document the readme and `simulate --help` cite', () => {
		const files = new Set(packed());
		const cited = (text: string) =>
			[...text.matchAll(/\b((?:docs|bench\/results|shared)\/[\w./-]+\.md)\b/g)].map((m) => m[1]!);
		const help = run(['simulate', '--help']);
		assert.equal(help.status, 0, help.stderr);
		const citations = [...cited(readFileSync(path.join(root, 'readme.md'), 'utf8')), ...cited(help.stdout)];
		assert.ok(citations.includes('docs/simulation-model.md'), 'the model is cited');
		for (const file of citations) {
			assert.ok(files.has(file), `${file} is cited but not in the package`);
			assert.ok(existsSync(path.join(installed, file)), `${file} is installed`);
		}
	});

	it('every file a shipped document names is shipped too, unless it says it is in the repository', () => {
		const files = new Set(packed());
		const documents = [...files].filter((file) => file.endsWith('.md'));
		const dead: string[] = [];
		for (const document of documents) {
			const text = readFileSync(path.join(installed, document), 'utf8');
			// A path from the package's root (docs/x.md, bench/results/x.json), or a bare name beside the document.
			for (const match of text.matchAll(
				/`((?:docs\/|bench\/results\/)?[\w.-]+\.(?:md|json))`( in the repository)?/g,
			)) {
				const [, name, inRepository] = match;
				const file = name!.includes('/') ? name! : path.posix.join(path.posix.dirname(document), name!);
				if (
					inRepository === undefined &&
					!files.has(file) &&
					(name!.includes('/') || document !== 'readme.md')
				) {
					dead.push(`${document} names ${name}`);
				}
			}
		}

		assert.deepEqual(dead, []);
	});

	it("prints package.json's version", () => {
		const result = run(['--version']);
		assert.equal(result.status, 0, result.stderr);
		assert.equal(result.stdout, `${version}\n`);
	});

	it('simulates on worker threads started from the bundle', () => {
		const result = run([
			'simulate',
			'--strategies',
			'ours',
			'--scheduler',
			'none',
			'--movement',
			'off',
			'--runs',
			'4',
			'--days',
			'1',
			'--threads',
			'2',
			'--json',
		]);
		assert.equal(result.status, 0, result.stderr);
		const cells = (JSON.parse(result.stdout) as {cells: {runs: number}[]}).cells;
		assert.equal(cells.length, 1);
		assert.equal(cells[0]!.runs, 4);
	});

	it('serves /healthz and stops on SIGTERM', async () => {
		const child = spawn(codexpool, ['serve', '--port', '0', '--no-tls'], {
			cwd: elsewhere,
			env,
			stdio: ['ignore', 'pipe', 'pipe'],
		});
		const served = watchServe(child);
		try {
			const url = await served.url;
			const health = await request(`${url}/healthz`);
			assert.equal(health.statusCode, 200);
			assert.equal(((await health.body.json()) as {ok: boolean}).ok, true);
		} finally {
			child.kill('SIGTERM');
		}

		assert.equal(await served.exited, 0, served.output());
	});

	it('runs the demo in a terminal (tmux): every account with both bars', {
		skip: !hasTmux && 'tmux is not installed (.ci/run installs it)',
	}, async (t) => {
		const tmux = (...args: string[]) =>
			execFileSync('tmux', ['-L', socket, ...args], {encoding: 'utf8', env});
		const started = Date.now();
		tmux(
			'new-session',
			'-d',
			'-s',
			'demo',
			'-x',
			'120',
			'-y',
			'40',
			'-c',
			elsewhere,
			`${codexpool} demo --accounts 3 --seed 3; sleep 30`,
		);
		const names = ['ada', 'grace', 'edsger'];
		const row = (text: string, name: string) =>
			text.split('\n').find((line) => new RegExp(`^[ ▶] ${name}\\b`).test(line)) ?? '';
		let text = '';
		while (Date.now() - started < 20_000) {
			text = tmux('capture-pane', '-t', 'demo', '-p');
			if (names.every((name) => /\d+%.*\d+%/.test(row(text, name)))) {
				break;
			}

			await delay(100);
		}

		for (const name of names) {
			assert.match(
				row(text, name),
				/\d+%.*\d+%/,
				`${name} shows a 5-hour and a weekly bar. The screen:\n${text}`,
			);
		}

		assert.doesNotMatch(text, /React is not defined/);
		t.diagnostic(
			`first full demo frame ${((Date.now() - started) / 1000).toFixed(1)} s after launch, ${((Date.now() - installStarted) / 1000).toFixed(1)} s after npm install -g started (this test's steps in between)`,
		);
	});
});
