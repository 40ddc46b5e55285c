import assert from 'node:assert/strict';
import {test} from 'node:test';
import {METRICS, VALUES_PER_RUN} from '../../source/core/sim/cells.ts';
import {estimate} from '../../source/core/sim/stats.ts';
import {compareOnSameSeeds, ratio, worseBeyondCi} from '../../source/core/sim/targets.ts';
import type {CellOutcome} from '../../source/core/sim/worker-pool.ts';

/** A cell whose runs have these waits (other metrics 0). */
function cell(strategy: string, waits: number[]): CellOutcome {
	const values = new Float64Array(waits.length * VALUES_PER_RUN);
	waits.forEach((wait, run) => {
		values[run * VALUES_PER_RUN + METRICS.indexOf('waitHours')] = wait;
	});
	const zero = {mean: 0, ci95: 0};
	return {
		strategy,
		movement: 'on',
		scheduler: 'stagger',
		scenario: 'flat',
		rho: 1,
		mean: 0.02,
		accounts: 7,
		days: 28,
		runs: waits.length,
		seed: 0,
		interruptions: zero,
		waitHours: estimate(waits),
		moves: zero,
		p95PauseHours: zero,
		wastedShare: zero,
		sessions: 0,
		seconds: 0,
		values,
	};
}

test('worse beyond the CI: the difference exceeds the combined interval', () => {
	assert.equal(worseBeyondCi({mean: 10, ci95: 3}, {mean: 6, ci95: 4}), false);
	assert.equal(worseBeyondCi({mean: 12, ci95: 3}, {mean: 6, ci95: 4}), true);
	assert.equal(worseBeyondCi({mean: 1, ci95: 0}, {mean: 6, ci95: 0}), false);
});

test('ratios count 0 / 0 as no difference', () => {
	assert.equal(ratio(0, 0), 1);
	assert.equal(ratio(3, 4), 0.75);
	assert.equal(ratio(1, 0), Number.POSITIVE_INFINITY);
});

test('ours is compared on the rival’s seeds only, and the paired test sees a steady small gap', () => {
	// Ours has 6 runs; the rival 4. On the first 4 seeds ours is always 1 worse: the spread hides it from the
	// unpaired test, the paired differences (all 1) do not.
	const ours = cell('ours', [11, 21, 31, 41, 500, 500]);
	const rival = cell('rival', [10, 20, 30, 40]);
	assert.deepEqual(compareOnSameSeeds(ours, rival, 'waitHours'), {worse: false, pairedWorse: true});
	const better = cell('ours', [9, 19, 29, 39]);
	assert.deepEqual(compareOnSameSeeds(better, rival, 'waitHours'), {worse: false, pairedWorse: false});
});
