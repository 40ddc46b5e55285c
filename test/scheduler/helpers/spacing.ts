import {HOUR} from '../../../source/core/clock.ts';

/**
How far the 5-hour resets are from an even spread over the 5-hour cycle: resets sorted, the k-th ideally
at first + k × 5 h / N. Returns the largest deviation (ms) and the gaps between consecutive resets.
*/
export function spacingDeviation(resets: readonly number[]): {largestMs: number; gapsMs: number[]} {
	const sorted = [...resets].sort((a, b) => a - b);
	const ideal = (5 * HOUR) / sorted.length;
	const first = sorted[0] ?? 0;
	let largestMs = 0;
	sorted.forEach((reset, k) => {
		largestMs = Math.max(largestMs, Math.abs(reset - first - k * ideal));
	});
	const gapsMs = sorted.slice(1).map((reset, k) => reset - sorted[k]!);
	// The wrap-around gap, from the last reset to the first one's next reset, counts too.
	if (sorted.length > 1) {
		gapsMs.push(first + 5 * HOUR - sorted.at(-1)!);
	}

	return {largestMs, gapsMs};
}
