import type {WindowCost} from './types.ts';

/** One interval between two readings of a window: its rise in used percent, and the tokens charged in it. */
export type WindowRow = {
	readonly delta: number;
	readonly uncached: number;
	readonly cached: number;
	readonly output: number;
};
export type WindowRows = WindowRow[];

/** How well a window's cost was fitted. */
export type WindowFit = {
	readonly cost: WindowCost;
	/** Intervals between readings that the fit used. */
	readonly intervals: number;
	/** Share of the variance of the rises the fit explains (1 is perfect). */
	readonly r2: number;
	/** Root-mean-square error over the mean rise: the typical error of one interval's predicted cost. */
	readonly relativeError: number;
};

/** Fewer intervals than this fit nothing (three unknowns and rounded readings). */
export const MIN_INTERVALS = 5;

/**
Non-negative least squares for rise ≈ a·uncached + b·cached + c·output: with three unknowns, every subset of
them is solved unconstrained and the best solution with no negative coefficient wins (exact NNLS).
*/
export function fitWindow(rows: readonly WindowRow[]): WindowFit | undefined {
	if (rows.length < MIN_INTERVALS) return undefined;
	const columns = (row: WindowRow) => [row.uncached, row.cached, row.output];
	// Scale columns to comparable sizes so the normal equations stay well conditioned.
	const norms = [0, 1, 2].map(
		(k) => Math.sqrt(rows.reduce((sum, row) => sum + columns(row)[k]! ** 2, 0)) || 1,
	);
	let best: {coefficients: number[]; residual: number} | undefined;
	for (let mask = 1; mask < 8; mask++) {
		const active = [0, 1, 2].filter((k) => (mask >> k) & 1);
		const solution = leastSquares(rows, active, columns, norms);
		if (solution === undefined || solution.some((value) => value < 0)) continue;
		const coefficients = [0, 0, 0];
		active.forEach((k, index) => {
			coefficients[k] = solution[index]! / norms[k]!;
		});
		const residual = rows.reduce((sum, row) => sum + (row.delta - dot(coefficients, columns(row))) ** 2, 0);
		if (best === undefined || residual < best.residual - 1e-12) best = {coefficients, residual};
	}

	if (best === undefined) return undefined;
	const mean = rows.reduce((sum, row) => sum + row.delta, 0) / rows.length;
	const total = rows.reduce((sum, row) => sum + (row.delta - mean) ** 2, 0);
	const [uncachedInput, cachedInput, output] = best.coefficients as [number, number, number];
	return {
		cost: {uncachedInput, cachedInput, output},
		intervals: rows.length,
		r2: total > 0 ? 1 - best.residual / total : 1,
		relativeError: mean > 0 ? Math.sqrt(best.residual / rows.length) / mean : 0,
	};
}

function dot(a: readonly number[], b: readonly number[]): number {
	return a[0]! * b[0]! + a[1]! * b[1]! + a[2]! * b[2]!;
}

/** Unconstrained least squares on the `active` (scaled) columns, by the normal equations and Gauss-Jordan. */
function leastSquares(
	rows: readonly WindowRow[],
	active: readonly number[],
	columns: (row: WindowRow) => number[],
	norms: readonly number[],
): number[] | undefined {
	const size = active.length;
	const matrix = Array.from({length: size}, () => new Array<number>(size + 1).fill(0));
	for (const row of rows) {
		const values = columns(row);
		for (let i = 0; i < size; i++) {
			const x = values[active[i]!]! / norms[active[i]!]!;
			for (let j = 0; j < size; j++) matrix[i]![j]! += x * (values[active[j]!]! / norms[active[j]!]!);
			matrix[i]![size]! += x * row.delta;
		}
	}

	for (let pivot = 0; pivot < size; pivot++) {
		let best = pivot;
		for (let r = pivot + 1; r < size; r++) {
			if (Math.abs(matrix[r]![pivot]!) > Math.abs(matrix[best]![pivot]!)) best = r;
		}

		[matrix[pivot], matrix[best]] = [matrix[best]!, matrix[pivot]!];
		const value = matrix[pivot]![pivot]!;
		if (Math.abs(value) < 1e-12) return undefined;
		for (let c = pivot; c <= size; c++) matrix[pivot]![c]! /= value;
		for (let r = 0; r < size; r++) {
			if (r === pivot) continue;
			const factor = matrix[r]![pivot]!;
			for (let c = pivot; c <= size; c++) matrix[r]![c]! -= factor * matrix[pivot]![c]!;
		}
	}

	return matrix.map((row) => row[size]!);
}
