import assert from 'node:assert/strict';
import {describe, it} from 'node:test';
import {peakYoungGenerationMb} from '../helpers/young-generation.ts';

const capModule = new URL('../../bench/young-generation-cap.js', import.meta.url).href;

describe("bench:proxy's run-time young generation cap", () => {
	it('stops the new space at twice the cap (two semi-spaces), where V8 alone grows it further', () => {
		const uncapped = peakYoungGenerationMb('');
		assert.ok(uncapped > 8, `without the cap the new space grows past 8 MB (it reached ${uncapped} MB)`);
		const capped = peakYoungGenerationMb(
			`const {capYoungGeneration} = await import(${JSON.stringify(capModule)});\ncapYoungGeneration(4);`,
		);
		assert.ok(capped <= 8, `capped at 4 MB per semi-space, the new space reached ${capped} MB`);
	});
});
