import assert from 'node:assert/strict';
import {test} from 'node:test';
import {stripVTControlCharacters as stripped} from 'node:util';
import {renderApp} from '../../source/components/render-app.tsx';
import {createManualClock} from '../../source/core/clock.ts';
import type {CoreSnapshot} from '../../source/core/contract.ts';
import {createFakeCore, makeSnapshot, T0} from '../helpers/fake-core.ts';
import {fakeTerminal} from './fake-terminal.ts';
import {busyPool} from './fixtures.ts';
import {delay, eventually} from './render-with-core.tsx';

function start(snapshot: Partial<CoreSnapshot>) {
	const core = createFakeCore(makeSnapshot({...busyPool(), ...snapshot}));
	const terminal = fakeTerminal(110, 40);
	const app = renderApp(core, {clock: createManualClock(T0), ...terminal.streams});
	let exited = false;
	const exit = app.waitUntilExit().then(() => {
		exited = true;
	});
	return {core, terminal, app, exit, isExited: () => exited};
}

async function press(terminal: ReturnType<typeof fakeTerminal>, ...keys: string[]) {
	for (const key of keys) {
		terminal.stdin.write(key);
		await delay(40);
	}
}

test('q quits an attached TUI at once, even with streams in flight (the daemon keeps them)', async () => {
	const run = start({mode: 'attached', inFlight: 3});
	await delay(40);
	await press(run.terminal, 'q');
	await run.exit;
	assert.equal(run.isExited(), true);
	assert.equal(run.core.stopped, false, 'renderApp never stops the core: its owner does');
});

test('q quits an embedded proxy with nothing in flight at once', async () => {
	const run = start({mode: 'embedded', inFlight: 0});
	await delay(40);
	await press(run.terminal, 'q');
	await run.exit;
	assert.equal(run.isExited(), true);
});

test('q asks first while an embedded or demo proxy has streams running: n stays, y quits', async () => {
	for (const mode of ['embedded', 'demo'] as const) {
		const run = start({mode, inFlight: 2});
		await delay(40);
		await press(run.terminal, 'q');
		// Frames are throttled (maxFps 10): wait for the question rather than for a fixed time.
		await eventually(() => assert.match(run.terminal.stdout.output, /2 streams are still running/));
		assert.equal(run.isExited(), false);
		await press(run.terminal, 'n');
		await eventually(() => assert.match(run.terminal.stdout.output, /Cancelled/));
		assert.equal(run.isExited(), false);
		if (mode === 'demo') {
			// Streams finish while the question is open: it says so.
			await press(run.terminal, 'q');
			run.core.update({inFlight: 0});
			await eventually(() =>
				assert.match(run.terminal.stdout.output, /The streams have finished\. Quit\? y \/ n/),
			);
			await press(run.terminal, 'n');
			run.core.update({inFlight: 2});
		}
		await press(run.terminal, 'q', 'y');
		await run.exit;
		assert.equal(run.isExited(), true, mode);
	}
});

test('unmount ends the app and its subscription to the core', async () => {
	const run = start({});
	await delay(40);
	assert.equal(run.core.subscriberCount(), 1);
	run.app.unmount();
	await run.exit;
	assert.equal(run.core.subscriberCount(), 0);
});

test('a burst of snapshots costs a few frames and the last one is always shown', async () => {
	const run = start({});
	await delay(100);
	const before = run.terminal.stdout.frames;
	// 100 snapshots in ~0.6 s: a core publishing faster than anyone can read.
	for (let index = 1; index <= 100; index++) {
		run.core.update({totals: {...run.core.getSnapshot().totals, requests: 10_000 + index}});
		await delay(5);
	}
	await eventually(() => assert.match(run.terminal.stdout.output, /requests 10,100 /), 2000);
	const frames = run.terminal.stdout.frames - before;
	run.app.unmount();
	await run.exit;
	assert.ok(frames >= 2, 'it does draw, the first change at once and the last after the interval');
	assert.ok(frames <= 6, `${frames} frames for 100 snapshots`);
});

test('an action’s effect shows with its result, without waiting for the next sample', async () => {
	const run = start({mode: 'attached'});
	await eventually(() => assert.match(run.terminal.stdout.output, /alice/));
	// A burst just before makes the next sample a second away.
	run.core.update({inFlight: 5});
	run.core.drain = async (account) => {
		run.core.calls.push({action: 'drain', args: [account]});
		run.core.update((snapshot) => ({
			...snapshot,
			accounts: snapshot.accounts.map((entry) =>
				entry.id === account ? {...entry, state: {kind: 'drained'} as const} : entry,
			),
		}));
		return {ok: true, message: 'alice drained'};
	};
	const started = Date.now();
	await press(run.terminal, 'd');
	await eventually(() => assert.match(stripped(run.terminal.stdout.output), /alice drained/));
	await eventually(() => assert.match(stripped(run.terminal.stdout.output), /alice\s+pro\s+drained/));
	assert.ok(Date.now() - started < 900, 'well before the one-second sample');
	assert.deepEqual(run.core.calls, [{action: 'drain', args: ['acc-alice']}]);
	run.app.unmount();
	await run.exit;
});

test('without a terminal to read keys from, the screen still shows', async () => {
	const core = createFakeCore(makeSnapshot(busyPool()));
	const terminal = fakeTerminal(110, 40);
	Object.defineProperty(terminal.stdin, 'isTTY', {value: false});
	const app = renderApp(core, {clock: createManualClock(T0), ...terminal.streams});
	await eventually(() => assert.match(stripped(terminal.stdout.output), /▶ alice/));
	app.unmount();
	await app.waitUntilExit();
});
