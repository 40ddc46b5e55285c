/*
For bench:proxy's comparisons (`BENCH_PROXY_COMPARE=DIR#MB@FLAGS`): caps the young generation of the process
that imports it at MB per semi-space, at run time. V8 reads `--max-semi-space-size` only when the heap is set
up, but `--semi-space-growth-factor` at each collection: after every collection the new space's size is
checked, and growth is switched off once it reaches the cap (and on again if V8 shrank it). Plain JavaScript:
the benchmark's children run bundles on plain node.
*/
import {constants, PerformanceObserver} from 'node:perf_hooks';
import v8 from 'node:v8';

/** The new space's size in bytes (both semi-spaces). */
export function newSpaceSize() {
	return v8.getHeapSpaceStatistics().find((space) => space.space_name === 'new_space')?.space_size ?? 0;
}

export function capYoungGeneration(capMb) {
	const cap = 2 * capMb * 1024 * 1024;
	let growing = true;
	const observer = new PerformanceObserver((list) => {
		if (!list.getEntries().some((entry) => entry.detail?.kind === constants.NODE_PERFORMANCE_GC_MINOR)) {
			return;
		}

		const full = newSpaceSize() >= cap;
		if (full === growing) {
			growing = !full;
			v8.setFlagsFromString(`--semi-space-growth-factor=${full ? 1 : 2}`);
		}
	});
	observer.observe({entryTypes: ['gc']});
	return observer;
}
