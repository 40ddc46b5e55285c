import assert from 'node:assert/strict';
import {test} from 'node:test';
import {stripVTControlCharacters} from 'node:util';
import {renderApp} from '../../source/components/render-app.tsx';
import {createManualClock} from '../../source/core/clock.ts';
import type {CoreSnapshot} from '../../source/core/contract.ts';
import {
	createFakeCore,
	HOUR,
	MINUTE,
	makeAccount,
	makeSnapshot,
	makeWindow,
	T0,
} from '../helpers/fake-core.ts';
import {fakeTerminal} from './fake-terminal.ts';
import {busyPool} from './fixtures.ts';
import {eventually} from './render-with-core.tsx';

/** The first whole frame the control center draws for `snapshot` on a terminal of that size. */
async function firstFrame(snapshot: Partial<CoreSnapshot>, columns = 100, rows = 40): Promise<string[]> {
	const core = createFakeCore(makeSnapshot({...busyPool(), ...snapshot}));
	const terminal = fakeTerminal(columns, rows);
	const app = renderApp(core, {clock: createManualClock(T0), ...terminal.streams, snapshotIntervalMs: 0});
	await eventually(() => assert.match(terminal.stdout.output, /q quit/));
	app.unmount();
	await app.waitUntilExit();
	const lines = stripVTControlCharacters(terminal.stdout.output).split('\n');
	return lines.slice(0, lines.findIndex((line) => line.includes('q quit')) + 1);
}

const track = (frame: readonly string[], name: string) =>
	frame.find((line) => line.startsWith(`${name} `) && /[=.|K]{20}/.test(line)) ?? '';

const kicks = [
	{accountId: 'acc-alice', at: T0 + 30 * MINUTE, reason: 'rotation'},
	{accountId: 'acc-carol', at: T0 + 2 * HOUR, reason: 'rotation'},
];

/*
Issue 17: the control center said "scheduler off" and drew planned kicks, one inside a running window.
*/
test('with the scheduler off no plan is drawn: no kicks on the timeline, none counted', async () => {
	const frame = await firstFrame({
		scheduler: {enabled: false, dryRun: false, policy: 'stagger', quietHours: undefined, nextKicks: kicks},
	});
	const text = frame.join('\n');
	assert.match(text, /scheduler off/);
	assert.match(text, /Timeline · next 5 hours\s+scheduler off: no kicks planned/);
	assert.doesNotMatch(text, /next kick|\d planned/);
	assert.doesNotMatch(track(frame, 'carol'), /K/, 'no kick drawn');
});

test('a dry run draws its plan, marked as a dry run', async () => {
	const frame = await firstFrame({
		scheduler: {enabled: true, dryRun: true, policy: 'stagger', quietHours: undefined, nextKicks: kicks},
	});
	const text = frame.join('\n');
	assert.match(text, /scheduler on \(stagger, dry run\) · next kick/);
	assert.match(text, /2 planned kicks, dry run: logged, not sent/);
	assert.match(track(frame, 'carol'), /K/);
});

test('no kick is drawn inside a running window', async () => {
	// alice's 5-hour window runs until 1h12m; a plan made before it started still has a kick at 30m.
	const frame = await firstFrame({
		scheduler: {enabled: true, dryRun: false, policy: 'stagger', quietHours: undefined, nextKicks: kicks},
	});
	const alice = track(frame, 'alice');
	assert.match(alice, /^alice\s+=+\|/);
	assert.doesNotMatch(alice, /K/);
});

/* Issue 17: account names were cut to 11 characters even at 200 columns. */
const longNames = [
	makeAccount({
		id: 'acc-1',
		name: 'frances.allen@research.example',
		fiveHour: makeWindow({usedPercent: 40, resetAt: T0 + 2 * HOUR}),
	}),
	makeAccount({id: 'acc-2', name: 'ken', fiveHour: makeWindow({usedPercent: 5, resetAt: T0 + HOUR})}),
];

test('a wide terminal shows whole account names, in the accounts panel and on the timeline', async () => {
	const frame = await firstFrame({accounts: longNames, scheduler: makeSnapshot().scheduler}, 200, 40);
	const row = frame.find((line) => line.includes('frances')) ?? '';
	assert.match(row, /frances\.allen@research\.example\s+plus\s+active/);
	assert.match(track(frame, 'frances.allen@research.example'), /=+\|/);
	for (const line of frame) {
		assert.ok([...line].length <= 200, `${[...line].length}: ${line}`);
	}
	// The columns after the names stay in line: the bars of both rows start at the same column.
	const bars = frame.filter((line) => /active/.test(line)).map((line) => line.search(/[█░▏▎▍▌▋▊▉]/));
	assert.equal(new Set(bars).size, 1, frame.join('\n'));
});

test('a narrow terminal cuts long names and nothing wraps', async () => {
	const frame = await firstFrame({accounts: longNames, scheduler: makeSnapshot().scheduler}, 80, 30);
	assert.match(frame.join('\n'), /^[ ▶] frances\.al… plus/m);
	for (const line of frame) {
		assert.ok([...line].length <= 80, `${[...line].length}: ${line}`);
	}
});

/* Issue 17: store damage was said once, then the control center showed the pool as if nothing had happened. */
test('a damaged store is one notice under the header: what was set aside, where, and what to do', async () => {
	const file = '/home/ada/.codexpool/codexpool.json.corrupt-2026-12-07T00-14-23.417Z';
	const frame = await firstFrame({
		storeDamage: [{file, at: T0, message: 'One account of the store could not be used and was set aside …'}],
	});
	const text = frame.join('\n');
	const at = frame.findIndex((line) => line.startsWith('Store damaged'));
	assert.ok(at > 0 && at <= 3, `under the header:\n${text}`);
	assert.ok(
		text
			.replaceAll(/\s+/g, ' ')
			.includes(
				`what could not be used is in ${file}. Add those accounts again (codexpool login, or codexpool import PATH), then delete that file`,
			),
		text,
	);
	for (const line of frame) {
		assert.ok([...line].length <= 100, `${[...line].length}: ${line}`);
	}
	assert.ok(frame.length < 40, 'the frame still fits the terminal');
	const clean = await firstFrame({storeDamage: []});
	assert.doesNotMatch(clean.join('\n'), /Store damaged/);
});
