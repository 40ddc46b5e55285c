import assert from 'node:assert/strict';
import {spawnSync} from 'node:child_process';

/**
The largest the young generation (V8's new space, both semi-spaces) grows, in MB, in a fresh node process that
runs `preamble` (an ES module's first lines: set flags, install a cap) and then makes short-lived garbage as
a server does: ~70 MB of small objects, a few batches kept alive at a time, yielding to the event loop
between batches (so observers of collections get to run).
*/
export function peakYoungGenerationMb(preamble: string): number {
	const script = `
${preamble}
const {getHeapSpaceStatistics} = await import('node:v8');
let peak = 0;
const keep = [];
for (let round = 0; round < 150; round++) {
	const batch = [];
	for (let i = 0; i < 20000; i++) batch.push({i});
	keep.push(batch);
	if (keep.length > 3) keep.shift();
	await new Promise((resolve) => setImmediate(resolve));
	peak = Math.max(peak, getHeapSpaceStatistics().find((space) => space.space_name === 'new_space').space_size);
}
console.log(peak / 1048576);
`;
	const result = spawnSync(process.execPath, ['--input-type=module', '--eval', script], {encoding: 'utf8'});
	assert.equal(result.status, 0, result.stderr);
	return Number(result.stdout.trim());
}
