import assert from 'node:assert/strict';
import {test} from 'node:test';
import {
	accountHeaderSegments,
	accountRowSegments,
	forecast,
	stateBadge,
	windowSegments,
} from '../../source/components/account-row.ts';
import {mergeRuns, segmentsText} from '../../source/components/line.tsx';
import type {AccountState} from '../../source/core/contract.ts';
import {HOUR, MINUTE, makeAccount, makeWindow, T0} from '../helpers/fake-core.ts';

test('each state has its badge and tone', () => {
	const cases: [AccountState, string, string][] = [
		[{kind: 'active'}, 'active', 'ok'],
		[{kind: 'pinned'}, 'pinned', 'accent'],
		[{kind: 'drained'}, 'drained', 'info'],
		[{kind: 'evicted'}, 'evicted', 'muted'],
		[{kind: 'cooling', until: T0 + 2 * MINUTE + 5000, reason: '429'}, 'cooling 2m05s', 'warning'],
		[{kind: 'exhausted', until: T0 + 4 * HOUR + 59 * MINUTE}, 'exhausted 4h59m', 'error'],
		[{kind: 'exhausted', until: undefined}, 'exhausted', 'error'],
		[{kind: 'needs-login', message: 'refresh token refused'}, 'needs login', 'error'],
	];
	for (const [state, text, tone] of cases) {
		assert.deepEqual(stateBadge(state, T0), {text, tone}, state.kind);
	}
});

test('a window shows bar, percent and a countdown to its reset', () => {
	const segments = windowSegments(makeWindow({usedPercent: 82, resetAt: T0 + HOUR + 12 * MINUTE}), T0);
	assert.equal(segmentsText(segments), '█████▊░  82% 1h12m  ');
	assert.equal(segments[0]?.tone, 'warning');
});

test('an idle window says idle instead of counting down', () => {
	const text = segmentsText(windowSegments(makeWindow({usedPercent: 0, resetAt: undefined}), T0));
	assert.equal(text, '░░░░░░░   0% idle   ');
});

test('a window past its reset says now, a missing window a dash', () => {
	assert.match(segmentsText(windowSegments(makeWindow({usedPercent: 40, resetAt: T0 - 1}), T0)), /40% now/);
	assert.equal(segmentsText(windowSegments(undefined, T0)).trim(), '—');
});

test('window tones follow the limit: ok, amber from 80%, red when exhausted', () => {
	const tone = (usedPercent: number) =>
		windowSegments(makeWindow({usedPercent, resetAt: T0 + HOUR}), T0)[0]?.tone;
	assert.equal(tone(79), 'ok');
	assert.equal(tone(80), 'warning');
	assert.equal(tone(100), 'error');
});

test('the forecast names the earliest run-out, or says it lasts', () => {
	const burning = makeAccount({
		id: 'a',
		fiveHour: makeWindow({usedPercent: 60, resetAt: T0 + 3 * HOUR, exhaustsAt: T0 + HOUR + 12 * MINUTE}),
		weekly: makeWindow({usedPercent: 90, resetAt: T0 + 2 * 24 * HOUR, exhaustsAt: T0 + 48 * MINUTE}),
	});
	assert.deepEqual(forecast(burning, T0), {text: 'runs out in 48m', tone: 'warning'});
	assert.deepEqual(forecast(burning, T0 + HOUR), {text: 'out now', tone: 'error'});
	const lasting = makeAccount({id: 'b', fiveHour: makeWindow({usedPercent: 10, resetAt: T0 + HOUR})});
	assert.deepEqual(forecast(lasting, T0), {text: 'lasts', tone: 'ok'});
	assert.deepEqual(forecast(makeAccount({id: 'c'}), T0), {text: 'lasts', tone: 'muted'});
	assert.deepEqual(forecast(makeAccount({id: 'd', fiveHour: undefined, weekly: undefined}), T0), {
		text: '—',
		tone: 'muted',
	});
});

test('with a cap on the window that runs out first, the forecast says when it reaches the cap', () => {
	const capped = makeAccount({
		id: 'a',
		caps: {weekly: 80},
		fiveHour: makeWindow({usedPercent: 60, resetAt: T0 + 3 * HOUR, exhaustsAt: T0 + 2 * HOUR}),
		weekly: makeWindow({usedPercent: 70, resetAt: T0 + 2 * 24 * HOUR, exhaustsAt: T0 + 48 * MINUTE}),
	});
	assert.deepEqual(forecast(capped, T0), {text: 'at cap in 48m', tone: 'warning'});
	assert.deepEqual(forecast(capped, T0 + HOUR), {text: 'at cap now', tone: 'error'});
	// The cap is on the other window: the one that runs out first runs out.
	const other = makeAccount({...capped, id: 'b', caps: {fiveHour: 90, weekly: undefined}});
	assert.deepEqual(forecast(other, T0), {text: 'runs out in 48m', tone: 'warning'});
});

test('a full row fits 100 columns with the longest badge and forecast', () => {
	const account = makeAccount({
		id: 'a-very-long-account-name',
		plan: 'enterprise',
		state: {kind: 'exhausted', until: T0 + 4 * HOUR + 59 * MINUTE},
		fiveHour: makeWindow({
			usedPercent: 100,
			resetAt: T0 + 4 * HOUR + 59 * MINUTE,
			exhaustsAt: T0 + 10 * HOUR,
		}),
		weekly: makeWindow({
			usedPercent: 99,
			resetAt: T0 + 6 * 24 * HOUR,
			exhaustsAt: T0 + 23 * HOUR + 59 * MINUTE,
		}),
		runningSessions: 12,
	});
	const text = segmentsText(accountRowSegments(account, T0, true));
	assert.ok([...text].length <= 100, `${[...text].length}: ${text}`);
	assert.match(text, /^▶ a-very-lon… enterp… exhausted 4h59m/);
	assert.match(text, /12 {2}back in 4h59m$/, 'an exhausted account says when it comes back');
	const burning = segmentsText(
		accountRowSegments({...account, state: {kind: 'cooling', until: T0 + 125_000, reason: 'x'}}, T0, true),
	);
	assert.ok([...burning].length <= 100, `${[...burning].length}: ${burning}`);
	assert.match(burning, /12 {2}runs out in 10h00m$/);
	assert.ok([...segmentsText(accountHeaderSegments())].length <= 100);
});

test('only the selected row carries the cursor', () => {
	const account = makeAccount({id: 'a'});
	assert.ok(segmentsText(accountRowSegments(account, T0, true)).startsWith('▶ a'));
	assert.ok(segmentsText(accountRowSegments(account, T0, false)).startsWith('  a'));
});

test('neighbouring segments of one style are drawn as one run', () => {
	const runs = mergeRuns([
		{text: 'a', tone: 'muted'},
		{text: 'b', tone: 'muted'},
		{text: 'c'},
		{text: 'd', tone: 'plain'},
		{text: 'e', tone: 'ok', bold: true},
		{text: 'f', tone: 'ok'},
	]);
	assert.deepEqual(runs, [
		{text: 'ab', tone: 'muted'},
		{text: 'cd'},
		{text: 'e', tone: 'ok', bold: true},
		{text: 'f', tone: 'ok'},
	]);
});

// The demo's frames showed `exhausted 43m5…`: a countdown in seconds does not fit the state column.
test('an exhausted badge counts whole minutes below an hour, so it fits its column', () => {
	const until = T0 + 43 * MINUTE + 57_000;
	const account = makeAccount({
		id: 'a',
		state: {kind: 'exhausted', until},
		fiveHour: makeWindow({usedPercent: 100, resetAt: until}),
	});
	assert.deepEqual(stateBadge(account.state, T0), {text: 'exhausted 44m', tone: 'error'});
	assert.match(
		segmentsText(accountRowSegments(account, T0, false)),
		/exhausted 44m .* 100% 43m57s .*back in 44m$/,
	);
});
