import assert from 'node:assert/strict';
import {describe, it} from 'node:test';
import {accountCounts, command} from '../../source/commands/replay.ts';
import {planMixes} from '../../source/core/replay/analysis.ts';
import {runCommand} from '../commands/run.ts';
import {tempDir} from '../store/fixtures.ts';

describe('codexpool replay options', () => {
	it('reads pool sizes as a range or a list', () => {
		assert.deepEqual(accountCounts('1..6'), [1, 2, 3, 4, 5, 6]);
		assert.deepEqual(accountCounts('2,4'), [2, 4]);
		assert.throws(() => accountCounts('0..3'), /1 to 20/);
		assert.throws(() => accountCounts('3..1'), /range like 1\.\.6/);
	});

	it('tries every mix of the given plans', () => {
		assert.deepEqual(planMixes(['plus', 'pro'], 2), [
			['plus', 'plus'],
			['plus', 'pro'],
			['pro', 'pro'],
		]);
		assert.equal(planMixes(['plus'], 3).length, 1);
	});

	it('refuses bad input with exit 2 and says what to type', async () => {
		const home = tempDir('codexpool-replay-args-');
		for (const [args, message] of [
			[['--strategies', 'nonesuch'], /unknown "nonesuch"/],
			[['--accounts', 'x'], /range like 1\.\.6/],
			[['--movement', 'maybe'], /on or off/],
			[['--since', 'yesterday-ish'], /not a date/],
			[['--keep-days', '0'], /whole number of days/],
			[['extra'], /no arguments/],
		] as const) {
			const result = await runCommand(command, ['--home', home, '--codex-home', home, ...args]);
			assert.equal(result.code, 2, `${args.join(' ')}: ${result.stderr}`);
			assert.match(result.stderr, message);
		}
	});

	it('says so when there is no history at all', async () => {
		const home = tempDir('codexpool-replay-none-');
		const result = await runCommand(command, ['--home', home, '--codex-home', home, '--accounts', '1..2']);
		assert.equal(result.code, 0, result.stderr);
		assert.match(result.stdout, /0 sessions, 0 requests/);
		assert.match(result.stdout, /DEFAULTS/);
		assert.match(result.stdout, /No recommendation: no requests/);
	});
});
