import assert from 'node:assert/strict';
import {test} from 'node:test';
import {
	fit,
	formatAgo,
	formatCount,
	formatLatency,
	formatPercent,
	formatRoughDuration,
	formatTokens,
	renderBar,
	truncate,
} from '../../source/components/format.ts';
import {formatDuration} from '../../source/core/duration.ts';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

test('durations use at most two units and round up to the second', () => {
	const cases: [number, string][] = [
		[-5, '0s'],
		[0, '0s'],
		[Number.NaN, '0s'],
		[1, '1s'],
		[999, '1s'],
		[45 * SECOND, '45s'],
		[59 * SECOND, '59s'],
		[60 * SECOND, '1m00s'],
		[2 * MINUTE + 5 * SECOND, '2m05s'],
		[59 * MINUTE + 59 * SECOND, '59m59s'],
		[HOUR, '1h00m'],
		[HOUR + 12 * MINUTE, '1h12m'],
		[4 * HOUR + 59 * MINUTE + 30 * SECOND, '4h59m'],
		[DAY, '1d00h'],
		[DAY + HOUR, '1d01h'],
		[6 * DAY + 23 * HOUR, '6d23h'],
	];
	for (const [ms, expected] of cases) {
		assert.equal(formatDuration(ms), expected, `formatDuration(${ms})`);
	}
});

test('rough durations drop the seconds above a minute', () => {
	const cases: [number, string][] = [
		[30 * SECOND, '30s'],
		[48 * MINUTE, '48m'],
		[48 * MINUTE + 20 * SECOND, '48m'],
		[HOUR + 12 * MINUTE, '1h12m'],
		[2 * DAY, '2d00h'],
	];
	for (const [ms, expected] of cases) {
		assert.equal(formatRoughDuration(ms), expected, `formatRoughDuration(${ms})`);
	}
});

test('ago reads now under a second', () => {
	assert.equal(formatAgo(0), 'now');
	assert.equal(formatAgo(400), 'now');
	assert.equal(formatAgo(12 * SECOND), '12s ago');
	assert.equal(formatAgo(3 * MINUTE + 4 * SECOND), '3m04s ago');
});

test('token counts are short', () => {
	const cases: [number, string][] = [
		[0, '0'],
		[-3, '0'],
		[950, '950'],
		[999, '999'],
		[1000, '1k'],
		[1234, '1.2k'],
		[9949, '9.9k'],
		[9960, '10k'],
		[34_000, '34k'],
		[340_400, '340k'],
		[1_234_567, '1.2M'],
		[34_000_000, '34M'],
		[1_200_000_000, '1.2B'],
	];
	for (const [count, expected] of cases) {
		assert.equal(formatTokens(count), expected, `formatTokens(${count})`);
	}
});

test('counts get thousands separators', () => {
	const cases: [number, string][] = [
		[0, '0'],
		[999, '999'],
		[1000, '1,000'],
		[1_234_567, '1,234,567'],
	];
	for (const [count, expected] of cases) {
		assert.equal(formatCount(count), expected);
	}
});

test('percentages are rounded and clamped', () => {
	assert.equal(formatPercent(82.4), '82%');
	assert.equal(formatPercent(-1), '0%');
	assert.equal(formatPercent(100), '100%');
});

test('latency is ms below a second and seconds above', () => {
	const cases: [number | undefined, string][] = [
		[undefined, '—'],
		[312.4, '312ms'],
		[1200, '1.2s'],
		[14_200, '14s'],
	];
	for (const [ms, expected] of cases) {
		assert.equal(formatLatency(ms), expected);
	}
});

test('bars fill in eighths and always have the requested width', () => {
	const cases: [number, number, string, string][] = [
		[0, 8, '', '░░░░░░░░'],
		[50, 8, '████', '░░░░'],
		[82, 8, '██████▌', '░'],
		[100, 8, '████████', ''],
		[140, 8, '████████', ''],
		[-10, 4, '', '░░░░'],
		[Number.NaN, 4, '', '░░░░'],
		[0.5, 7, '', '░░░░░░░'],
		[1, 7, '▏', '░░░░░░'],
	];
	for (const [percent, width, filled, empty] of cases) {
		const bar = renderBar(percent, width);
		assert.deepEqual(bar, {filled, empty}, `renderBar(${percent}, ${width})`);
		assert.equal([...bar.filled].length + [...bar.empty].length, width);
	}
});

test('truncate marks the cut and fit pads to the exact width', () => {
	assert.equal(truncate('enterprise', 7), 'enterp…');
	assert.equal(truncate('pro', 7), 'pro');
	assert.equal(truncate('abc', 0), '');
	assert.equal(fit('pro', 6), 'pro   ');
	assert.equal(fit('3', 3, 'right'), '  3');
	assert.equal(fit('enterprise', 7), 'enterp…');
});
