import assert from 'node:assert/strict';
import {spawnSync} from 'node:child_process';
import {describe, it} from 'node:test';

const capModule = new URL('../../bench/young-generation-cap.js', import.meta.url).href;

/** Allocates ~70 MB of short-lived objects (3 million small objects), yielding between rounds as a server would; prints the new space's peak. */
function peakNewSpaceMb(capMb: number | undefined): number {
	const script = `
const {capYoungGeneration, newSpaceSize} = await import(${JSON.stringify(capModule)});
${capMb === undefined ? '' : `capYoungGeneration(${capMb});`}
let peak = 0;
const keep = [];
for (let round = 0; round < 150; round++) {
	const batch = [];
	for (let i = 0; i < 20000; i++) batch.push({i});
	keep.push(batch);
	if (keep.length > 3) keep.shift();
	await new Promise((resolve) => setImmediate(resolve));
	peak = Math.max(peak, newSpaceSize());
}
console.log(peak / 1048576);
`;
	const result = spawnSync(process.execPath, ['--input-type=module', '--eval', script], {encoding: 'utf8'});
	assert.equal(result.status, 0, result.stderr);
	return Number(result.stdout.trim());
}

describe("bench:proxy's run-time young generation cap", () => {
	it('stops the new space at twice the cap (two semi-spaces), where V8 alone grows it further', () => {
		const uncapped = peakNewSpaceMb(undefined);
		assert.ok(uncapped > 8, `without the cap the new space grows past 8 MB (it reached ${uncapped} MB)`);
		const capped = peakNewSpaceMb(4);
		assert.ok(capped <= 8, `capped at 4 MB per semi-space, the new space reached ${capped} MB`);
	});
});
