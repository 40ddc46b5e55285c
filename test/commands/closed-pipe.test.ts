import assert from 'node:assert/strict';
import {spawn} from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {test} from 'node:test';
import {fileURLToPath} from 'node:url';
import {authJson} from '../auth/fixtures.ts';
import {tempDir} from '../store/fixtures.ts';

const cli = fileURLToPath(new URL('../../source/cli.tsx', import.meta.url));

/**
`codexpool ARGS | head -0`, deterministically: the reading end of stdout is closed before the command writes
a byte, so every write it makes meets EPIPE.
*/
async function runIntoClosedPipe(args: readonly string[]): Promise<{code: number | null; stderr: string}> {
	const child = spawn(process.execPath, ['--import', 'tsx', cli, ...args], {
		env: {...process.env, CODEXPOOL_HOME: tempDir('codexpool-pipe-')},
		stdio: ['ignore', 'pipe', 'pipe'],
	});
	child.stdout.destroy();
	let stderr = '';
	child.stderr.on('data', (chunk: Buffer) => {
		stderr += chunk.toString('utf8');
	});
	const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
	return {code, stderr};
}

for (const args of [['codex-config', '--provider', 'custom'], ['accounts'], ['--help']]) {
	test(`codexpool ${args.join(' ')} into a closed pipe exits 0 without a word on stderr`, async () => {
		const {code, stderr} = await runIntoClosedPipe(args);
		assert.equal(stderr, '');
		assert.equal(code, 0);
	});
}

/** `codexpool ARGS | head -1` as a shell runs it: the first line is read, then the pipe closes under later writes. */
async function runIntoHead(
	args: readonly string[],
	home: string,
): Promise<{code: number | null; stderr: string; first: string}> {
	const quoted = [process.execPath, '--import', 'tsx', cli, ...args].map(
		(arg) => `'${arg.replaceAll("'", "'\\''")}'`,
	);
	const child = spawn('sh', ['-c', `${quoted.join(' ')} 2>"$ERR" | head -1`], {
		env: {...process.env, CODEXPOOL_HOME: home, ERR: path.join(home, 'stderr.txt')},
		stdio: ['ignore', 'pipe', 'pipe'],
	});
	let first = '';
	child.stdout.on('data', (chunk: Buffer) => {
		first += chunk.toString('utf8');
	});
	const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
	return {code, stderr: fs.readFileSync(path.join(home, 'stderr.txt'), 'utf8'), first};
}

test('codexpool import FOLDER into a closed pipe, and into head -1: no EPIPE stack trace', async () => {
	const folder = tempDir('codexpool-pipe-logins-');
	for (const id of ['acc-1', 'acc-2', 'acc-3']) {
		fs.writeFileSync(path.join(folder, `${id}.auth.json`), authJson(id));
	}

	const closed = await runIntoClosedPipe(['import', folder]);
	assert.equal(closed.stderr, '');
	assert.equal(closed.code, 0);
	const head = await runIntoHead(['import', folder], tempDir('codexpool-pipe-'));
	assert.match(head.first, /^Added acc-1@example\.com/);
	assert.equal(head.stderr, '');
});

test('codexpool codex-config into head -1: the first line, no EPIPE stack trace', async () => {
	const head = await runIntoHead(['codex-config', '--provider', 'custom'], tempDir('codexpool-pipe-'));
	assert.notEqual(head.first, '');
	assert.equal(head.stderr, '');
});
