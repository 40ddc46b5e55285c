import assert from 'node:assert/strict';
import {test} from 'node:test';
import {setTimeout as delay} from 'node:timers/promises';
import type {CoreSnapshot} from '../../source/core/contract.ts';
import {createSnapshotPublisher} from '../../source/core/snapshot-publisher.ts';

test('many changes in a burst publish one snapshot', async () => {
	let builds = 0;
	const publisher = createSnapshotPublisher(() => ({now: ++builds}) as unknown as CoreSnapshot, 50);
	let notified = 0;
	publisher.subscribe(() => notified++);
	const first = publisher.getSnapshot();
	for (let i = 0; i < 100; i++) {
		publisher.markDirty();
	}

	assert.equal(notified, 0);
	await delay(120);
	assert.equal(notified, 1);
	assert.notEqual(publisher.getSnapshot(), first);
	assert.equal(publisher.getSnapshot(), publisher.getSnapshot());
	publisher.stop();
});

test('flush publishes at once', () => {
	let builds = 0;
	const publisher = createSnapshotPublisher(() => ({now: ++builds}) as unknown as CoreSnapshot);
	publisher.markDirty();
	publisher.flush();
	assert.equal(publisher.getSnapshot().now, 1, 'built once, by the flush');
	publisher.stop();
});

test('while nobody subscribes, changes build nothing until the next read', async () => {
	let builds = 0;
	const publisher = createSnapshotPublisher(() => ({now: ++builds}) as unknown as CoreSnapshot, 10);
	assert.equal(publisher.getSnapshot().now, 1);
	for (let i = 0; i < 100; i++) {
		publisher.markDirty();
	}

	await delay(40);
	assert.equal(builds, 1, 'no timer built one');
	assert.equal(publisher.getSnapshot().now, 2, 'the read sees the changes');
	assert.equal(publisher.getSnapshot(), publisher.getSnapshot(), 'and is stable until the next change');
	assert.equal(builds, 2);
	publisher.stop();
});
