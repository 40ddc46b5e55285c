/** A mean with its 95% confidence half-width (1.96 · sample sd / √R; 0 for fewer than two runs). */
export type Estimate = {readonly mean: number; readonly ci95: number};

/** p95 of the first `count` values, by linear interpolation between order statistics; 0 when empty. */
export function percentile95(values: Float64Array, count: number): number {
	if (count === 0) return 0;
	const sorted = values.slice(0, count).sort();
	const position = 0.95 * (count - 1);
	const low = Math.floor(position);
	const high = Math.min(count - 1, low + 1);
	const fraction = position - low;
	return sorted[low]! + (sorted[high]! - sorted[low]!) * fraction;
}

export function estimate(values: ArrayLike<number>): Estimate {
	const count = values.length;
	if (count === 0) return {mean: 0, ci95: 0};
	let sum = 0;
	for (let i = 0; i < count; i++) sum += values[i]!;
	const mean = sum / count;
	if (count < 2) return {mean, ci95: 0};
	let squares = 0;
	for (let i = 0; i < count; i++) squares += (values[i]! - mean) ** 2;
	return {mean, ci95: (1.96 * Math.sqrt(squares / (count - 1))) / Math.sqrt(count)};
}
