import assert from 'node:assert/strict';
import {test} from 'node:test';
import {segmentsText} from '../../source/components/line.tsx';
import {cellIndex, timelineAxis, timelineCells} from '../../source/components/timeline-cells.ts';
import {HOUR, makeAccount, makeWindow, T0} from '../helpers/fake-core.ts';

test('times map to columns of the span, outside is undefined', () => {
	assert.equal(cellIndex(T0, T0, 5 * HOUR, 50), 0);
	assert.equal(cellIndex(T0 + HOUR, T0, 5 * HOUR, 50), 10);
	assert.equal(cellIndex(T0 + 5 * HOUR - 1, T0, 5 * HOUR, 50), 49);
	assert.equal(cellIndex(T0 + 5 * HOUR, T0, 5 * HOUR, 50), undefined);
	assert.equal(cellIndex(T0 - 1, T0, 5 * HOUR, 50), undefined);
});

test('a running 5-hour window is a line up to its reset mark', () => {
	const account = makeAccount({id: 'a', fiveHour: makeWindow({usedPercent: 30, resetAt: T0 + 2 * HOUR})});
	const text = segmentsText(timelineCells(account, [], T0, '5h', 50));
	assert.equal(text, `${'='.repeat(20)}|${'.'.repeat(29)}`);
});

test('an idle account is free all along and shows its planned kick', () => {
	const account = makeAccount({id: 'a'});
	const kicks = [
		{accountId: 'a', at: T0 + 3 * HOUR, reason: 'stagger'},
		{accountId: 'other', at: T0 + HOUR, reason: 'stagger'},
	];
	const text = segmentsText(timelineCells(account, kicks, T0, '5h', 50));
	assert.equal(text, `${'.'.repeat(30)}K${'.'.repeat(19)}`);
});

test('staggered accounts reset in different columns', () => {
	const resets = [1, 2, 3].map((hours) => {
		const account = makeAccount({
			id: `a${hours}`,
			fiveHour: makeWindow({usedPercent: 50, resetAt: T0 + hours * HOUR}),
		});
		return segmentsText(timelineCells(account, [], T0, '5h', 50)).indexOf('|');
	});
	assert.deepEqual(resets, [10, 20, 30]);
});

test('the 7-day view draws the weekly window and marks both resets', () => {
	const account = makeAccount({
		id: 'a',
		fiveHour: makeWindow({usedPercent: 50, resetAt: T0 + 2 * HOUR}),
		weekly: makeWindow({usedPercent: 40, resetAt: T0 + 3.5 * 24 * HOUR, lengthMinutes: 10_080}),
	});
	const text = segmentsText(timelineCells(account, [], T0, '7d', 70));
	assert.equal(text[0], '|');
	assert.equal(text.indexOf('W'), 35);
	assert.equal(text.slice(1, 35), '='.repeat(34));
	assert.equal(text.slice(36), '.'.repeat(34));
});

test('a window resetting beyond the span runs to the edge; exhausted is red', () => {
	const account = makeAccount({id: 'a', fiveHour: makeWindow({usedPercent: 100, resetAt: T0 + 9 * HOUR})});
	const segments = timelineCells(account, [], T0, '5h', 20);
	assert.equal(segmentsText(segments), '='.repeat(20));
	assert.equal(segments[0]?.tone, 'error');
});

test('the axis starts at now and labels each hour or day', () => {
	assert.equal(timelineAxis('5h', 50), 'now    +1h       +2h       +3h       +4h       +5h');
	const days = timelineAxis('7d', 70);
	assert.equal(days.length, 70);
	assert.ok(days.startsWith('now'));
	assert.ok(days.endsWith('+7d'));
	assert.match(days, /\+1d.*\+2d.*\+6d/);
});
