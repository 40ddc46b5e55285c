import {capLabel} from './cells.ts';
import type {Estimate} from './stats.ts';
import type {CellOutcome} from './worker-pool.ts';

/** The columns of a results table: the metric, its heading, and how a value is written. */
const COLUMNS = [
	{key: 'interruptions', heading: 'interruptions', digits: 1, scale: 1},
	{key: 'waitHours', heading: 'wait h', digits: 1, scale: 1},
	{key: 'moves', heading: 'moves', digits: 1, scale: 1},
	{key: 'p95PauseHours', heading: 'p95 pause h', digits: 2, scale: 1},
	{key: 'wastedShare', heading: 'wasted %', digits: 2, scale: 100},
] as const;

/** The setting a cell belongs to: cells of one setting are compared with each other. */
export function settingOf(cell: CellOutcome): string {
	const pool = cell.pool === undefined || cell.pool === 'standard' ? '' : `, ${cell.pool} pool`;
	const cap = capLabel(cell.caps);
	const caps = `${cap === 'none' ? '' : `, cap ${cap}`}${cell.accountCaps === undefined ? '' : ', caps per account'}`;
	return `${cell.scenario}${pool}${caps}, rho ${cell.rho}, mean ${cell.mean}, ${cell.accounts} accounts, ${cell.days} days`;
}

function format(value: Estimate, digits: number, scale: number): string {
	return `${(value.mean * scale).toFixed(digits)} ± ${(value.ci95 * scale).toFixed(digits)}`;
}

/**
The rows of one setting, each metric as "mean ± ci95", the best (lowest mean) of each column marked with
`mark`. Rows: strategy, movement, scheduler, runs, then the five metrics.
*/
export function settingRows(cells: readonly CellOutcome[], mark: (text: string) => string): string[][] {
	const best = COLUMNS.map(({key}) => Math.min(...cells.map((cell) => cell[key].mean)));
	return cells.map((cell) => [
		cell.strategy,
		cell.movement,
		cell.scheduler,
		String(cell.runs),
		...COLUMNS.map(({key, digits, scale}, index) => {
			const text = format(cell[key], digits, scale);
			return cells.length > 1 && cell[key].mean === best[index] ? mark(text) : text;
		}),
	]);
}

export const HEADINGS = [
	'strategy',
	'movement',
	'scheduler',
	'runs',
	...COLUMNS.map((column) => column.heading),
];

/** Cells grouped by setting, in first-seen order. */
export function groupBySetting(cells: readonly CellOutcome[]): Map<string, CellOutcome[]> {
	const groups = new Map<string, CellOutcome[]>();
	for (const cell of cells) {
		const key = settingOf(cell);
		groups.set(key, [...(groups.get(key) ?? []), cell]);
	}

	return groups;
}

/** A plain-text table, columns padded, for the terminal. Best values carry a `*`. */
export function textTable(cells: readonly CellOutcome[]): string {
	const out: string[] = [];
	for (const [setting, group] of groupBySetting(cells)) {
		const rows = [HEADINGS, ...settingRows(group, (text) => `${text} *`)];
		const widths = HEADINGS.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
		out.push(`${setting}`);
		for (const row of rows) {
			out.push(
				`  ${row.map((text, column) => (column < 3 ? text.padEnd(widths[column]!) : text.padStart(widths[column]!))).join('  ')}`,
			);
		}

		out.push('');
	}

	out.push(
		'Each value is the mean over the runs ± its 95% confidence interval; * marks the best of a setting.',
	);
	return `${out.join('\n')}\n`;
}

/** A Markdown table per setting (the benchmark's file); best values in bold. */
export function markdownTables(cells: readonly CellOutcome[]): string {
	const out: string[] = [];
	for (const [setting, group] of groupBySetting(cells)) {
		out.push(`#### ${setting}`, '');
		out.push(
			`| ${HEADINGS.join(' | ')} |`,
			`|${HEADINGS.map((_, i) => (i < 3 ? '---' : '---:')).join('|')}|`,
		);
		for (const row of settingRows(group, (text) => `**${text}**`)) out.push(`| ${row.join(' | ')} |`);
		out.push('');
	}

	return out.join('\n');
}
