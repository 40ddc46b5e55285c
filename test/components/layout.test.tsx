import assert from 'node:assert/strict';
import {test} from 'node:test';
import {stripVTControlCharacters} from 'node:util';
import {renderApp as startApp} from '../../source/components/render-app.tsx';
import {createManualClock} from '../../source/core/clock.ts';
import {createFakeCore, HOUR, makeAccount, makeSnapshot, makeWindow, T0} from '../helpers/fake-core.ts';
import {fakeTerminal} from './fake-terminal.ts';
import {busyPool} from './fixtures.ts';
import {eventually} from './render-with-core.tsx';

const twenty = Array.from({length: 20}, (_, index) =>
	makeAccount({
		id: `acc-${index}`,
		name: `account-${index}`,
		fiveHour: makeWindow({usedPercent: index * 5, resetAt: T0 + (index % 5) * HOUR + 1}),
	}),
);

// Ink clears the whole terminal on every frame once the frame is as tall as the screen (flicker), and a line
// wider than the screen wraps and breaks the layout: the frame must stay inside the terminal.
for (const [columns, rows] of [
	[100, 30],
	[120, 40],
	[100, 24],
] as const) {
	test(`20 accounts fit a ${columns}×${rows} terminal without wrapping`, async () => {
		const core = createFakeCore(makeSnapshot({...busyPool(), accounts: twenty}));
		const terminal = fakeTerminal(columns, rows);
		const app = startApp(core, {clock: createManualClock(T0), ...terminal.streams, snapshotIntervalMs: 0});
		await eventually(() => assert.match(terminal.stdout.output, /Accounts/));
		app.unmount();
		await app.waitUntilExit();
		// The first frame is written whole; take it from the start to the first cursor/erase sequence after it.
		const first = stripVTControlCharacters(terminal.stdout.output).split('\n');
		const frame = first.slice(0, first.findIndex((line) => line.includes('select')) + 1);
		assert.ok(frame.length < rows, `${frame.length} lines in ${rows} rows`);
		for (const line of frame) {
			assert.ok([...line].length <= columns, `${[...line].length} > ${columns}: ${line}`);
		}
		if (rows < 36) {
			assert.match(frame.join('\n'), /of 20/, 'the accounts panel scrolls instead of growing');
		} else {
			assert.match(frame.join('\n'), /account-19 /, 'every account shows when there is room');
		}
	});
}
