import assert from 'node:assert/strict';
import {test} from 'node:test';
import {Ring} from '../../source/core/ring.ts';

test('keeps the newest entries first, up to its capacity', () => {
	const ring = new Ring<number>(3);
	for (let i = 1; i <= 5; i++) {
		ring.push(i);
	}

	assert.deepEqual(ring.items, [5, 4, 3]);
});

test('each push gives a new array, so snapshots holding the old one do not change', () => {
	const ring = new Ring<number>(3);
	ring.push(1);
	const before = ring.items;
	ring.push(2);
	assert.deepEqual(before, [1]);
	assert.notEqual(before, ring.items);
});

test('after wrapping around many times the order is still newest first', () => {
	const ring = new Ring<number>(4);
	for (let i = 1; i <= 23; i++) {
		ring.push(i);
		const expected = Array.from({length: Math.min(i, 4)}, (_, age) => i - age);
		assert.deepEqual(ring.items, expected, `after ${i} pushes`);
	}

	assert.equal(ring.items, ring.items, 'reading twice without a push gives the same array');
});
