import assert from 'node:assert/strict';
import {after, before, test} from 'node:test';
import {command as cap} from '../../source/commands/cap.ts';
import {command as keys} from '../../source/commands/keys.ts';
import {command as logout} from '../../source/commands/logout.ts';
import {drain, evict, pin, restore, unpin} from '../../source/commands/marks.ts';
import {command as scheduler} from '../../source/commands/scheduler.ts';
import {command as strategy} from '../../source/commands/strategy.ts';
import type {Command} from '../../source/commands/types.ts';
import {runCommand} from './run.ts';
import {makeHome, type TestHome} from './serve-harness.ts';

// The readme promises it: bad input exits 2 (what to type instead), any other failure 1. The same mistake,
// an account or key that does not exist, must exit the same way whichever command it is made in.

let home: TestHome;

before(async () => {
	home = await makeHome(['alpha', 'beta']);
});

after(async () => {
	await home.upstream.close();
});

const cases: ReadonlyArray<readonly [Command, readonly string[], RegExp]> = [
	[pin, ['nobody'], /No account matches "nobody"/],
	[unpin, ['nobody'], /No account matches "nobody"/],
	[drain, ['nobody'], /No account matches "nobody"/],
	[evict, ['nobody'], /No account matches "nobody"/],
	[restore, ['nobody'], /No account matches "nobody"/],
	[logout, ['nobody'], /No account matches "nobody"/],
	[cap, ['nobody', '--five-hour', '90'], /No account matches "nobody"/],
	[keys, ['revoke', 'x'], /x/],
	[strategy, ['sequential', '--order', 'x'], /No account matches "x"/],
	[strategy, ['nonesuch'], /Unknown strategy "nonesuch"/],
	[scheduler, ['--accounts', 'x'], /No account matches "x"/],
	[scheduler, ['--policy', 'x'], /Unknown kick policy "x"/],
];

for (const [command, args, message] of cases) {
	test(`codexpool ${command.name} ${args.join(' ')} is bad input: exit 2`, async () => {
		const result = await runCommand(command, [...args, '--home', home.home], home.env);
		assert.equal(result.code, 2, result.stderr);
		assert.match(result.stderr, message);
	});
}
