import assert from 'node:assert/strict';
import {test} from 'node:test';
import {createRandom} from '../../source/core/random.ts';
import {estimate, percentile95} from '../../source/core/sim/stats.ts';
import {Workload} from '../../source/core/sim/workload.ts';

test('workday arrivals keep the flat daily mean, 2.5x busier from 09:00 to 18:00', () => {
	const count = (scenario: 'flat' | 'workday') => {
		const workload = new Workload(createRandom(1, 0), 2, 0.02, scenario);
		let total = 0;
		let busy = 0;
		while (workload.nextAt < 24 * 200) {
			total++;
			const hour = workload.nextAt % 24;
			if (hour >= 9 && hour < 18) busy++;
			workload.advance();
		}

		return {total, busy};
	};
	const flat = count('flat');
	const workday = count('workday');
	assert.ok(Math.abs(workday.total / flat.total - 1) < 0.03, `${workday.total} vs ${flat.total}`);
	// Busy hours hold 9 × 2.5 / 25.5 of a workday's arrivals.
	assert.ok(Math.abs(workday.busy / workday.total - 22.5 / 25.5) < 0.02);
});

test('sizes are exponential with the mean asked for', () => {
	const workload = new Workload(createRandom(2, 0), 1, 0.05, 'flat');
	let sum = 0;
	for (let i = 0; i < 20_000; i++) {
		sum += workload.nextSize;
		workload.advance();
	}

	assert.ok(Math.abs(sum / 20_000 - 0.05) < 0.002);
});

test('p95 interpolates linearly between order statistics; none is 0', () => {
	assert.equal(percentile95(new Float64Array(0), 0), 0);
	assert.equal(percentile95(Float64Array.of(4), 1), 4);
	// 21 values 0..20: position 0.95 × 20 = 19.
	assert.equal(
		percentile95(
			Float64Array.from({length: 21}, (_, i) => 20 - i),
			21,
		),
		19,
	);
	// 2 values: position 0.95 between 1 and 3.
	assert.ok(Math.abs(percentile95(Float64Array.of(3, 1), 2) - 2.9) < 1e-12);
});

test('estimates: the mean and 1.96 sample sd / sqrt(R)', () => {
	const {mean, ci95} = estimate([1, 2, 3, 4]);
	assert.equal(mean, 2.5);
	assert.ok(Math.abs(ci95 - (1.96 * Math.sqrt(5 / 3)) / 2) < 1e-12);
	assert.deepEqual(estimate([7]), {mean: 7, ci95: 0});
});
