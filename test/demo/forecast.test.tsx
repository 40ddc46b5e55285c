import assert from 'node:assert/strict';
import {test} from 'node:test';
import {stripVTControlCharacters} from 'node:util';
import {render} from 'ink-testing-library';
import {App} from '../../source/app.tsx';
import {startDemoPool} from '../../source/commands/demo-pool.ts';
import {delay} from '../helpers/eventually.ts';

/*
Issue 17: the demo never showed a forecast: every row said `lasts`, also at 97 % with sessions running and on
exhausted rows. The usage poll's whole percents between the headers' fractions restarted the burn series
every minute, so no pace was ever measured; and an exhausted row did not say when it comes back.
*/

test('the demo shows when a busy account runs out and when an exhausted one comes back', async (t) => {
	// The demo as `codexpool demo --speed 300` runs it: a 5-hour window passes in 60 s.
	const demo = await startDemoPool({accounts: 7, speed: 300, seed: 1, port: 0});
	// The user pins one account (p), so it takes every new session and burns fast, as a busy account does.
	assert.equal((await demo.core.pin('ada')).ok, true);
	const app = render(<App core={demo.core} clock={demo.clock} tickMs={250} />);
	t.after(async () => {
		app.unmount();
		await demo.stop();
	});
	const rows = () =>
		stripVTControlCharacters(app.lastFrame() ?? '')
			.split('\n')
			.filter((line) => /^[ ▶] \S/.test(line) && !line.includes('forecast'));
	const runsOut = (line: string) =>
		/(?:plus|pro)\s+(?:active|pinned) .*\s[1-9]\d* +runs out in \d+(?:h\d\dm|m|s|d\d\dh)$/.test(line);
	const comesBack = (line: string) => /\sexhausted \S+ .*100% .*back in \d+(?:h\d\dm|m|s)$/.test(line);
	// Frames in which each was seen: on a loaded machine the busy rows and the exhausted one may not overlap.
	let burning: string | undefined;
	let exhausted: string | undefined;
	const started = Date.now();
	// At most 90 s (7.5 simulated hours): the pinned account runs out within the first simulated hour or two.
	while (Date.now() - started < 90_000 && (burning === undefined || exhausted === undefined)) {
		await delay(250);
		const frame = rows();
		burning ??= frame.some(runsOut) ? frame.join('\n') : undefined;
		exhausted ??= frame.some(comesBack) ? frame.join('\n') : undefined;
	}

	const last = rows().join('\n');
	assert.ok(burning, `a busy row with sessions running says when it runs out; the last frame:\n${last}`);
	assert.ok(exhausted, `an exhausted row says when it comes back; the last frame:\n${last}`);
});
