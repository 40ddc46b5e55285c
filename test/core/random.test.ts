import assert from 'node:assert/strict';
import {test} from 'node:test';
import {createRandom} from '../../source/core/random.ts';

test('the same seed and stream give the same numbers', () => {
	const a = createRandom(42, 1);
	const b = createRandom(42, 1);
	for (let i = 0; i < 100; i++) {
		assert.equal(a(), b());
	}
});

test('different streams of one seed differ', () => {
	const a = createRandom(7, 0);
	const b = createRandom(7, 1);
	assert.notEqual(a(), b());
});

test('numbers are uniform in [0, 1)', () => {
	const random = createRandom(1);
	let sum = 0;
	for (let i = 0; i < 10_000; i++) {
		const x = random();
		assert.ok(x >= 0 && x < 1);
		sum += x;
	}

	assert.ok(Math.abs(sum / 10_000 - 0.5) < 0.02);
});
