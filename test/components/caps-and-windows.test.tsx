import assert from 'node:assert/strict';
import {afterEach, test} from 'node:test';
import {cleanup} from 'ink-testing-library';
import {capsInputText, parseCapsInput} from '../../source/components/caps-input.ts';
import {HOUR, MINUTE, makeAccount, makeWindow, T0} from '../helpers/fake-core.ts';
import {busyPool} from './fixtures.ts';
import {eventually, renderApp} from './render-with-core.tsx';

afterEach(() => cleanup());

const enter = '\r';
const esc = '\u001B';
const backspace = '\u007F';

test('c asks for the caps of the selected account; Enter sets them through the core', async () => {
	const app = await renderApp(busyPool());
	await app.press('c');
	assert.match(app.text(), /caps of alice, 5-hour\/weekly %: ▏/);
	await app.press('9', '0', '/', '8', '0', enter);
	await eventually(() =>
		assert.deepEqual(app.core.calls, [{action: 'setCaps', args: ['acc-alice', {fiveHour: 90, weekly: 80}]}]),
	);
});

test('the caps prompt: off clears, a bad number is refused and can be corrected, Esc leaves them', async () => {
	const app = await renderApp({
		...busyPool(),
		accounts: [makeAccount({id: 'acc-x', name: 'xena', caps: {weekly: 70}})],
	});
	await app.press('c');
	assert.match(app.text(), /caps of xena, 5-hour\/weekly %: \/70▏/, 'prefilled with the current caps');
	await app.press(backspace, backspace, backspace, '1', '2', '0', enter);
	await eventually(() => assert.match(app.text(), /"120" is not a percent from 1 to 100/));
	assert.deepEqual(app.core.calls, [], 'nothing set');
	await app.press(backspace, backspace, backspace, 'o', 'f', 'f', enter);
	await eventually(() => assert.deepEqual(app.core.calls, [{action: 'setCaps', args: ['acc-x', undefined]}]));
	await app.press('c', '5', '0', esc);
	assert.equal(app.core.calls.length, 1, 'Esc sets nothing');
});

test('the row shows the caps with the marks, and the cap that stops an account', async () => {
	const app = await renderApp({
		...busyPool(),
		accounts: [
			makeAccount({id: 'acc-a', name: 'anna', caps: {fiveHour: 90, weekly: 80}}),
			makeAccount({
				id: 'acc-b',
				name: 'boris',
				caps: {weekly: 50},
				state: {kind: 'exhausted', until: T0 + 2 * HOUR, cap: {window: 'weekly', percent: 50}},
				weekly: makeWindow({usedPercent: 51, resetAt: T0 + 2 * HOUR, lengthMinutes: 10_080}),
			}),
		],
	});
	assert.match(app.text(), /anna\s+plus\s+active cap90\/80/);
	assert.match(app.text(), /boris\s+plus\s+cap wk 2h00m/);
});

test('a weekly-only account has no 5-hour bar; a window of another length says its length', async () => {
	const app = await renderApp({
		...busyPool(),
		accounts: [
			makeAccount({
				id: 'acc-w',
				name: 'weekly',
				plan: 'free',
				fiveHour: undefined,
				weekly: makeWindow({usedPercent: 40, resetAt: T0 + 50 * HOUR, lengthMinutes: 10_080}),
			}),
			makeAccount({
				id: 'acc-h',
				name: 'hourly',
				fiveHour: makeWindow({usedPercent: 50, resetAt: T0 + 30 * MINUTE, lengthMinutes: 60}),
			}),
		],
	});
	const text = app.text();
	const weeklyRow = text.split('\n').find((line) => line.includes('weekly ') && line.includes('free'))!;
	assert.match(weeklyRow, /active\s+—\s+[█░▏▎▍▌▋▊▉]+\s+40%/, 'no 5-hour window: a dash, then the weekly bar');
	const hourlyRow = text.split('\n').find((line) => line.includes('hourly'))!;
	assert.match(hourlyRow, /1h\s+[█░▏▎▍▌▋▊▉]+\s+50% 30m00s/, 'the 1-hour window says its length');
});

test('caps input: what the prompt accepts', () => {
	assert.deepEqual(parseCapsInput('90/80'), {caps: {fiveHour: 90, weekly: 80}});
	assert.deepEqual(parseCapsInput('90'), {caps: {fiveHour: 90, weekly: 90}});
	assert.deepEqual(parseCapsInput('/80'), {caps: {weekly: 80}});
	assert.deepEqual(parseCapsInput('90/'), {caps: {fiveHour: 90}});
	assert.deepEqual(parseCapsInput(' OFF '), {caps: undefined});
	assert.deepEqual(parseCapsInput(''), {caps: undefined});
	assert.ok('error' in parseCapsInput('0/80'));
	assert.ok('error' in parseCapsInput('1/2/3'));
	assert.equal(capsInputText({fiveHour: 90}), '90/');
	assert.equal(capsInputText(undefined), '');
});
