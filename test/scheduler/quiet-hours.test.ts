import assert from 'node:assert/strict';
import {test} from 'node:test';
import {
	isQuiet,
	nextAllowed,
	parseClockTime,
	QuietHoursError,
	validateQuietHours,
} from '../../source/core/scheduler/quiet-hours.ts';

const at = (hours: number, minutes = 0, day = 5) => new Date(2026, 0, day, hours, minutes).getTime();

test('quiet hours read HH:MM local times and refuse anything else with a clear message', () => {
	assert.equal(parseClockTime('07:30'), 450);
	assert.equal(parseClockTime('0:05'), 5);
	for (const bad of ['24:00', '7', '07:60', 'noon', '']) {
		assert.throws(() => parseClockTime(bad), QuietHoursError);
	}

	assert.throws(() => validateQuietHours({start: '22:00', end: '7am'}), /HH:MM.*"7am"/);
});

test('quiet hours within a day: the start is inside, the end is not', () => {
	const quiet = {start: '12:00', end: '13:30'};
	assert.equal(isQuiet(quiet, at(11, 59)), false);
	assert.equal(isQuiet(quiet, at(12, 0)), true);
	assert.equal(isQuiet(quiet, at(13, 29)), true);
	assert.equal(isQuiet(quiet, at(13, 30)), false);
	assert.equal(nextAllowed(quiet, at(12, 10)), at(13, 30));
	assert.equal(nextAllowed(quiet, at(14, 0)), at(14, 0));
});

test('quiet hours spanning midnight', () => {
	const quiet = {start: '22:00', end: '07:00'};
	assert.equal(isQuiet(quiet, at(21, 59)), false);
	assert.equal(isQuiet(quiet, at(23, 0)), true);
	assert.equal(isQuiet(quiet, at(3, 0)), true);
	assert.equal(isQuiet(quiet, at(7, 0)), false);
	assert.equal(nextAllowed(quiet, at(23, 0)), at(7, 0, 6), 'the end on the next day');
	assert.equal(nextAllowed(quiet, at(3, 0, 6)), at(7, 0, 6), 'the end on the same day');
});

test('equal start and end, or none, mean no quiet hours', () => {
	assert.equal(isQuiet({start: '08:00', end: '08:00'}, at(8, 0)), false);
	assert.equal(isQuiet(undefined, at(8, 0)), false);
	assert.equal(nextAllowed(undefined, at(8, 0)), at(8, 0));
});
