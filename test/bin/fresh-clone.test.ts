import assert from 'node:assert/strict';
import {spawnSync} from 'node:child_process';
import {cpSync, mkdtempSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {after, it} from 'node:test';
import {fileURLToPath} from 'node:url';

// `npm pack` in a fresh clone, before `npm install`: the build (prepare) needs esbuild, a devDependency, so it
// cannot work there; it must say what to run instead of a module-not-found stack trace.
const root = fileURLToPath(new URL('../..', import.meta.url));
const clone = mkdtempSync(path.join(tmpdir(), 'codexpool-fresh-clone-'));
after(() => rmSync(clone, {recursive: true, force: true}));

it('npm pack before npm install says to run npm install first', () => {
	cpSync(path.join(root, 'package.json'), path.join(clone, 'package.json'));
	cpSync(path.join(root, 'bin'), path.join(clone, 'bin'), {recursive: true});
	const result = spawnSync('npm', ['pack', '--offline', '--no-audit', '--no-fund', '--no-update-notifier'], {
		cwd: clone,
		encoding: 'utf8',
		env: {...process.env, npm_config_cache: path.join(clone, '.npm-cache'), NODE_PATH: ''},
	});
	const output = `${result.stdout}${result.stderr}`;
	assert.notEqual(result.status, 0, output);
	assert.match(
		output,
		/codexpool: the build failed: esbuild is not installed\. Run `npm install` in this folder first: it installs the build tools \(devDependencies\) and builds dist\/\./,
	);
	assert.doesNotMatch(output, /ERR_MODULE_NOT_FOUND|at .*\(node:internal/);
});
