import assert from 'node:assert/strict';
import {test} from 'node:test';
import {formatDuration, parseDuration} from '../../source/core/duration.ts';

test('parseDuration reads durations as users type them', () => {
	const cases: Array<[string, number]> = [
		['90', 90_000],
		['1.5', 1500],
		['90s', 90_000],
		['10m', 600_000],
		['1h30m', 5_400_000],
		['500ms', 500],
		[' 2h ', 7_200_000],
	];
	for (const [text, ms] of cases) {
		assert.equal(parseDuration(text), ms, text);
	}

	for (const text of ['', 'soon', '10 m', '1d', '-5s', '10m5']) {
		assert.throws(
			() => parseDuration(text),
			/is not a duration: write it like 90s, 10m, 1h30m or 500ms/,
			text,
		);
	}
});

test('formatDuration reads back what parseDuration reads, at most two units', () => {
	assert.equal(formatDuration(parseDuration('90s')), '1m30s');
	assert.equal(formatDuration(parseDuration('1h30m')), '1h30m');
	assert.equal(formatDuration(parseDuration('500ms')), '1s');
});
