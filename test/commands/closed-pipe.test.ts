import assert from 'node:assert/strict';
import {spawn} from 'node:child_process';
import {test} from 'node:test';
import {fileURLToPath} from 'node:url';
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
