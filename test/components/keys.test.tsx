import assert from 'node:assert/strict';
import {afterEach, test} from 'node:test';
import {cleanup} from 'ink-testing-library';
import {makeAccount, makeRequest} from '../helpers/fake-core.ts';
import {busyPool} from './fixtures.ts';
import {eventually, renderApp} from './render-with-core.tsx';

afterEach(() => cleanup());

const keys = {
	up: '\u001B[A',
	down: '\u001B[B',
	tab: '\t',
	shiftTab: '\u001B[Z',
	enter: '\r',
	escape: '\u001B',
	backspace: '\u007F',
};

test('j and k move the selection; k does not kick', async () => {
	const app = await renderApp(busyPool());
	assert.match(app.text(), /▶ alice/);
	await app.press('j', 'j');
	assert.match(app.text(), /▶ carol/);
	await app.press('k');
	assert.match(app.text(), /▶ bob/);
	await app.press(keys.down);
	assert.match(app.text(), /▶ carol/);
	await app.press(keys.up, keys.up, keys.up);
	assert.match(app.text(), /▶ alice/);
	assert.deepEqual(app.core.calls, []);
});

test('p pins the selected account, and unpins a pinned one', async () => {
	const app = await renderApp(busyPool());
	await app.press('p');
	await app.press('j', 'p');
	assert.deepEqual(app.core.calls, [
		{action: 'pin', args: ['acc-alice']},
		{action: 'unpin', args: ['acc-bob']},
	]);
});

test('d drains, r restores, K kicks and u refreshes the selected account', async () => {
	const app = await renderApp(busyPool());
	await app.press('j', 'j', 'd', 'r', 'K', 'u', 'U');
	assert.deepEqual(app.core.calls, [
		{action: 'drain', args: ['acc-carol']},
		{action: 'restore', args: ['acc-carol']},
		{action: 'kick', args: ['acc-carol']},
		{action: 'refreshUsage', args: ['acc-carol']},
		{action: 'refreshUsage', args: []},
	]);
});

test('every action result is shown on the status line', async () => {
	const app = await renderApp(busyPool());
	app.core.results.drain = {ok: true, message: 'alice drained: no new sessions, 3 running will finish'};
	await app.press('d');
	await eventually(() => assert.match(app.text(), /alice drained: no new sessions, 3 running will finish/));
	app.core.results.kick = {ok: false, message: 'Kick failed: alice is evicted. Restore it first (r).'};
	await app.press('K');
	await eventually(() => assert.match(app.text(), /Kick failed: alice is evicted/));
});

test('an action that throws anyway is shown as a failure, not a crash', async () => {
	const app = await renderApp(busyPool());
	app.core.kick = async () => {
		throw new Error('connection refused');
	};
	await app.press('K');
	await eventually(() => assert.match(app.text(), /Kicking alice failed: connection refused/));
});

test('e asks before evicting: n cancels, y evicts the selected account', async () => {
	const app = await renderApp(busyPool());
	await app.press('e');
	assert.match(
		app.text(),
		/Evict alice\? No traffic until restored \(r\); its 3 sessions move on their next request\. y \/ n/,
	);
	await app.press('p');
	assert.deepEqual(app.core.calls, [], 'other keys do nothing while the question is open');
	await app.press('n');
	assert.match(app.text(), /Cancelled/);
	assert.deepEqual(app.core.calls, []);
	await app.press('j', 'e', 'y');
	assert.deepEqual(app.core.calls, [{action: 'evict', args: ['acc-bob']}]);
});

test('Esc also cancels the eviction question', async () => {
	const app = await renderApp(busyPool());
	await app.press('e', keys.escape);
	await eventually(() => assert.doesNotMatch(app.text(), /Evict alice\?/));
	assert.deepEqual(app.core.calls, []);
});

test('s opens the strategy picker; Enter switches, Esc closes', async () => {
	const app = await renderApp(busyPool());
	await app.press('s');
	assert.match(app.text(), /Strategy \(↑↓ move/);
	assert.match(app.text(), /▶ least-used/);
	await app.press('j');
	assert.match(app.text(), /▶ round-robin/);
	await app.press(keys.enter);
	assert.deepEqual(app.core.calls, [{action: 'setStrategy', args: ['round-robin']}]);
	assert.doesNotMatch(app.text(), /Strategy \(↑↓ move/);
	await app.press('s', 'j', 'j', keys.escape);
	await eventually(() => assert.doesNotMatch(app.text(), /Strategy \(↑↓ move/));
	assert.equal(app.core.calls.length, 1);
});

test('Tab walks the panels and Shift-Tab walks back', async () => {
	const app = await renderApp(busyPool());
	assert.match(app.text(), /Timeline · next 5 hours/);
	await app.press(keys.tab);
	assert.match(app.text(), /Timeline · next 5 hours/);
	await app.press(keys.tab);
	assert.match(app.text(), /Sessions\s+2 known, 1 in flight/);
	await app.press(keys.tab);
	assert.match(app.text(), /Request log/);
	await app.press(keys.tab);
	assert.match(app.text(), /Notices\s+newest first/);
	await app.press(keys.shiftTab);
	assert.match(app.text(), /Request log/);
});

test('arrows scroll a focused lower panel instead of moving the selection', async () => {
	const requests = Array.from({length: 80}, (_, index) =>
		makeRequest({
			id: `r${index}`,
			sessionId: `sess-${String(index).padStart(3, '0')}`,
			accountId: 'acc-alice',
		}),
	);
	const app = await renderApp({...busyPool(), requests});
	await app.press(keys.tab, keys.tab, keys.tab);
	assert.match(app.text(), /sess-000 /);
	await app.press('j', keys.down);
	assert.doesNotMatch(app.text(), /sess-000 |sess-001 /);
	assert.match(app.text(), /sess-002 /);
	assert.match(app.text(), /▶ alice/);
	await app.press('k');
	assert.match(app.text(), /sess-001 /);
});

test('/ filters the log as you type; Enter keeps it, Esc clears it', async () => {
	const app = await renderApp(busyPool());
	await app.press('/', 'b', 'o', 'x', keys.backspace);
	assert.match(app.text(), /filter log: bo▏/);
	assert.match(app.text(), /filter “bo”: 1 of 3/);
	assert.match(app.text(), /sess-old\s+bob\s+gpt-5\s+429/);
	assert.doesNotMatch(app.text(), /sess-live\s+alice/);
	await app.press('p');
	assert.deepEqual(app.core.calls, [], 'letters go to the filter, not to the keymap');
	await app.press(keys.enter);
	assert.match(app.text(), /filter “bop”: 0 of 3/);
	await app.press('/', keys.escape);
	await eventually(() => assert.match(app.text(), /newest first · \/ filters/));
	assert.match(app.text(), /sess-live\s+alice/);
});

test('t toggles the timeline between 5 hours and 7 days', async () => {
	const app = await renderApp(busyPool());
	await app.press(keys.tab, keys.tab, 't');
	assert.match(app.text(), /Timeline · next 7 days/);
	assert.match(app.text(), /\+7d/);
	await app.press('t');
	assert.match(app.text(), /Timeline · next 5 hours/);
});

test('? opens the help overlay and ? or Esc closes it', async () => {
	const app = await renderApp(busyPool());
	await app.press('?');
	assert.match(app.text(), /Keys \(\? or Esc closes\)/);
	assert.doesNotMatch(app.text(), /▶ alice/);
	await app.press('p');
	assert.deepEqual(app.core.calls, []);
	await app.press('?');
	assert.match(app.text(), /▶ alice/);
	await app.press('?', keys.escape);
	await eventually(() => assert.match(app.text(), /▶ alice/));
	await app.press('?', 'q');
	assert.match(app.text(), /▶ alice/, 'q closes the help, it does not quit');
});

test('the footer lists the keys', async () => {
	const app = await renderApp(busyPool());
	assert.match(app.text(), /↑↓jk select {2}p pin {2}d drain {2}e evict {2}r restore {2}K kick/);
});

test('with no accounts the onboarding screen shows and account keys explain why nothing happens', async () => {
	const app = await renderApp({accounts: []});
	assert.match(app.text(), /codexpool import ~\/\.codex/);
	await app.press('p');
	assert.match(app.text(), /No account to act on yet/);
	assert.deepEqual(app.core.calls, []);
	app.core.update({accounts: [makeAccount({id: 'acc-new', name: 'newbie'})]});
	await eventually(() => assert.match(app.text(), /▶ newbie/));
	await app.press('p');
	assert.deepEqual(app.core.calls, [{action: 'pin', args: ['acc-new']}]);
});

test('the selection follows the account when the list changes', async () => {
	const app = await renderApp(busyPool());
	await app.press('j');
	app.core.update((snapshot) => ({...snapshot, accounts: [...snapshot.accounts].reverse()}));
	await eventually(() => assert.match(app.text(), /▶ bob/));
	await app.press('d');
	assert.deepEqual(app.core.calls, [{action: 'drain', args: ['acc-bob']}]);
});

test('keys that arrive together (key repeat, tmux) count one by one', async () => {
	const app = await renderApp(busyPool());
	await app.press('jj');
	assert.match(app.text(), /▶ carol/);
	await app.press('jd');
	assert.match(app.text(), /▶ dave/);
	assert.deepEqual(
		app.core.calls,
		[{action: 'drain', args: ['acc-dave']}],
		'd acts on the account j just selected',
	);
	await app.press('\t\t');
	assert.match(app.text(), /Sessions\s+2 known/);
	await app.press('/', 'bob');
	assert.match(app.text(), /filter log: bob▏/, 'in the filter a run of characters is typed text');
});
