import assert from 'node:assert/strict';
import {afterEach, test} from 'node:test';
import {cleanup} from 'ink-testing-library';
import {countdownResolution} from '../../source/components/countdown-resolution.ts';
import {createSampledStore} from '../../source/components/sampled-store.ts';
import {createTicker} from '../../source/components/ticker.ts';
import {createManualClock} from '../../source/core/clock.ts';
import {
	createFakeCore,
	MINUTE,
	makeAccount,
	makeSession,
	makeSnapshot,
	makeWindow,
	T0,
} from '../helpers/fake-core.ts';
import {delay, eventually, renderApp} from './render-with-core.tsx';

afterEach(() => cleanup());

const countdownPool = {
	accounts: [
		makeAccount({id: 'a', name: 'alice', fiveHour: makeWindow({usedPercent: 40, resetAt: T0 + 10 * MINUTE})}),
		makeAccount({id: 'b', name: 'bob', fiveHour: makeWindow({usedPercent: 0, resetAt: undefined})}),
		makeAccount({id: 'c', name: 'carol', state: {kind: 'cooling', until: T0 + 90_000, reason: '429'}}),
	],
};

test('countdowns tick live with the clock; idle windows stay idle', async () => {
	const app = await renderApp(countdownPool, 20);
	assert.match(app.text(), /alice .* 40% 10m00s/);
	assert.match(app.text(), /bob .* {2}0% idle /);
	assert.match(app.text(), /cooling 1m30s/);
	app.clock.advance(65_000);
	await eventually(() => assert.match(app.text(), /alice .* 40% 8m55s/));
	assert.match(app.text(), /bob .* {2}0% idle /);
	assert.match(app.text(), /cooling 25s/);
	app.clock.advance(10 * MINUTE);
	await eventually(() => assert.match(app.text(), /alice .* 40% now/));
});

test('a tick that changes nothing draws nothing', async () => {
	const app = await renderApp(countdownPool, 10);
	const frames = app.frames.length;
	await delay(120);
	assert.equal(app.frames.length, frames, 'the clock did not move, so no frame');
	app.clock.advance(1000);
	await eventually(() => assert.ok(app.frames.length > frames));
});

test('the ticker runs only while someone watches, and stops after', async () => {
	let reads = 0;
	const clock = {now: () => ++reads, speed: 1};
	const ticker = createTicker(clock, 5);
	await delay(30);
	assert.equal(reads, 1, 'only the initial read: nobody subscribed');
	let notified = 0;
	const unsubscribe = ticker.subscribe(() => notified++);
	await eventually(() => assert.ok(notified >= 2));
	unsubscribe();
	const after = reads;
	await delay(30);
	assert.equal(reads, after, 'no reads after the last listener left');
});

test('ticks are skipped while redraws keep the time fresh', async () => {
	const clock = createManualClock(T0);
	const ticker = createTicker(clock, 100);
	let notified = 0;
	const unsubscribe = ticker.subscribe(() => notified++);
	// A busy core redraws every 5 ms here: each redraw pushes the next tick a whole tick away.
	const redraws = setInterval(() => {
		clock.advance(5);
		ticker.touch();
	}, 5);
	await delay(350);
	clearInterval(redraws);
	assert.equal(notified, 0);
	assert.ok(ticker.getNow() > T0, 'touch takes the time');
	await eventually(() => assert.ok(notified >= 1), 1000);
	unsubscribe();
});

test('the sampled store passes the first change at once and the last of a burst later', async () => {
	const core = createFakeCore(makeSnapshot());
	let emits = 0;
	const store = createSampledStore(core, 60, () => emits++);
	let notified = 0;
	const unsubscribe = store.subscribe(() => notified++);
	core.update({inFlight: 1});
	assert.equal(notified, 1);
	assert.equal(store.getSnapshot().inFlight, 1);
	for (let index = 2; index <= 10; index++) {
		core.update({inFlight: index});
	}
	assert.equal(notified, 1, 'the burst waits');
	assert.equal(store.getSnapshot().inFlight, 1, 'and the views keep seeing a consistent snapshot');
	await eventually(() => assert.equal(store.getSnapshot().inFlight, 10));
	assert.equal(notified, 2);
	assert.equal(emits, 2);
	unsubscribe();
	assert.equal(core.subscriberCount(), 0);
});

test('interval 0 passes the core through untouched', () => {
	const core = createFakeCore(makeSnapshot());
	const store = createSampledStore(core, 0);
	assert.equal(store.subscribe, core.subscribe);
	assert.equal(store.getSnapshot, core.getSnapshot);
});

test('the screen ticks every second only while something shows seconds', () => {
	const snapshot = (overrides: Parameters<typeof makeSnapshot>[0]) => makeSnapshot(overrides);
	const idle = [makeAccount({id: 'a'})];
	const cases: [string, ReturnType<typeof makeSnapshot>, 'timeline' | 'sessions', number][] = [
		['idle windows', snapshot({accounts: idle}), 'timeline', 60_000],
		[
			'a reset in 4 hours',
			snapshot({accounts: [makeAccount({id: 'a', fiveHour: makeWindow({resetAt: T0 + 240 * MINUTE})})]}),
			'timeline',
			60_000,
		],
		[
			'a reset in 59 minutes',
			snapshot({accounts: [makeAccount({id: 'a', fiveHour: makeWindow({resetAt: T0 + 59 * MINUTE})})]}),
			'timeline',
			1000,
		],
		[
			'cooling for 2 minutes',
			snapshot({
				accounts: [makeAccount({id: 'a', state: {kind: 'cooling', until: T0 + 2 * MINUTE, reason: '429'}})],
			}),
			'timeline',
			1000,
		],
		[
			'a kick in 10 minutes',
			snapshot({
				accounts: idle,
				scheduler: {
					enabled: true,
					dryRun: false,
					policy: 'stagger',
					quietHours: undefined,
					nextKicks: [{accountId: 'a', at: T0 + 10 * MINUTE, reason: 'stagger'}],
				},
			}),
			'timeline',
			1000,
		],
		[
			'a session active a minute ago, sessions shown',
			snapshot({accounts: idle, sessions: [makeSession({id: 's', lastActivityAt: T0 - MINUTE})]}),
			'sessions',
			1000,
		],
		[
			'the same session, sessions hidden',
			snapshot({accounts: idle, sessions: [makeSession({id: 's', lastActivityAt: T0 - MINUTE})]}),
			'timeline',
			60_000,
		],
	];
	for (const [name, value, lower, expected] of cases) {
		assert.equal(countdownResolution(value, T0, lower), expected, name);
	}
});

test('a quiet pool with idle windows redraws once a minute, not every second', async () => {
	const app = await renderApp({accounts: [makeAccount({id: 'a', name: 'alice'})]}, 10);
	const frames = app.frames.length;
	for (let second = 0; second < 5; second++) {
		app.clock.advance(5000);
		await delay(30);
	}
	assert.equal(app.frames.length, frames, '25 seconds passed inside the minute: nothing to redraw');
	app.clock.advance(60_000);
	await eventually(() => assert.ok(app.frames.length > frames, 'the minute turned'));
});
