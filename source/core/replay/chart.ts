const BLOCKS = [' ', '▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

/**
A column chart of one value per day (hours waited), `height` rows of eighth-blocks, with the scale on the left
and the first and last day under it. Plain text: no colour, so it reads the same in a pipe.
*/
export function dayChart(
	values: readonly number[],
	options: {
		height?: number;
		from: number;
		label: string;
		/** A second series on the same scale, one row of blocks under the axis. */
		compare?: {readonly label: string; readonly values: readonly number[]};
	},
): string {
	const height = options.height ?? 5;
	const max = Math.max(0, ...values, ...(options.compare?.values ?? []));
	const lines = [options.label];
	if (values.length === 0) return `${options.label}\n  (no days)\n`;
	const top = max > 0 ? max : 1;
	const scale = `${formatHours(top)} `;
	for (let row = height - 1; row >= 0; row--) {
		let line = '';
		for (const value of values) {
			const eighths = Math.round((value / top) * height * 8) - row * 8;
			line += BLOCKS[Math.max(0, Math.min(8, eighths))];
		}

		lines.push(`${(row === height - 1 ? scale : '').padStart(scale.length)}│${line}`);
	}

	const first = day(options.from);
	const last = day(options.from + (values.length - 1) * 86_400_000);
	const axis = `${'0 '.padStart(scale.length)}└${'─'.repeat(values.length)}`;
	const under =
		values.length < first.length * 2 + 1
			? `${' '.repeat(scale.length + 1)}${first}`
			: `${' '.repeat(scale.length + 1)}${first}${last.padStart(values.length - first.length)}`;
	lines.push(axis, under);
	if (options.compare !== undefined) {
		lines.push(
			options.compare.label,
			`${' '.repeat(scale.length)}│${sparkline(options.compare.values, top)}`,
		);
	}

	return `${lines.join('\n')}\n`;
}

/** One row of eighth-blocks scaled to `max` (0 shows as a dot, so an empty day is visible). */
export function sparkline(values: readonly number[], max: number): string {
	return values
		.map((value) =>
			value <= 0 || max <= 0 ? '·' : BLOCKS[Math.max(1, Math.min(8, Math.round((value / max) * 8)))],
		)
		.join('');
}

const day = (ms: number) => new Date(ms).toISOString().slice(5, 10);
const formatHours = (hours: number) => `${hours >= 10 ? hours.toFixed(0) : hours.toFixed(1)} h`;
