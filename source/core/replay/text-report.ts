import type {Analysis} from './analysis.ts';
import {TOLERANCE} from './analysis.ts';
import {dayChart} from './chart.ts';
import {describePool, mainPlan, recommendationLine} from './report.ts';
import type {WindowCost} from './types.ts';

const number = (value: number) => Math.round(value).toLocaleString('en-US');
const date = (ms: number | undefined) =>
	ms === undefined ? '-' : new Date(ms).toISOString().slice(0, 16).replace('T', ' ');
const perMillion = (cost: WindowCost | undefined) =>
	cost === undefined
		? 'no window'
		: `${(cost.uncachedInput * 1e6).toFixed(2)} / ${(cost.cachedInput * 1e6).toFixed(2)} / ${(cost.output * 1e6).toFixed(2)}`;

function table(rows: readonly string[][]): string {
	const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
	return rows
		.map((row) =>
			row
				.map((cell, column) => (column < 3 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!)))
				.join('  '),
		)
		.join('\n');
}

/** The report for the terminal: history, cost model, self-check, what-ifs, recommendation and a chart. */
export function textReport(analysis: Analysis): string {
	const {history: h, costModel, selfCheck} = analysis;
	const out: string[] = [];
	const days = h.from === undefined ? 0 : ((h.to ?? h.from) - h.from) / 86_400_000;
	out.push(
		'History',
		`  ${date(h.from)} to ${date(h.to)} UTC (${days.toFixed(1)} days), ${h.files} files, ${(h.bytes / 1e6).toFixed(1)} MB`,
		`  ${number(h.sessions)} sessions, ${number(h.requests)} requests`,
		`  tokens: ${number(h.tokens.input)} input (${number(h.tokens.cachedInput)} cached), ${number(h.tokens.output)} output (${number(h.tokens.reasoningOutput)} reasoning), ${number(h.tokens.total)} total`,
		`  accounts: ${h.accounts.map((account) => `${account.id.slice(0, 13)} (${account.plan ?? `plan unknown, taken as ${analysis.planOf(account.id)}`}; ${number(account.requests)} requests)`).join(', ') || 'none'}`,
		`  recorded limit hits: ${h.recordedLimitHits}, ${h.recordedWaitHours.toFixed(1)} h waited`,
		`  lines skipped: ${h.malformedLines} malformed or truncated, ${h.unknownLines} of an unknown type`,
		'',
	);
	const plan = mainPlan(analysis);
	const cost = costModel.costOf(plan);
	out.push(
		`Cost model (% of the window per million tokens: uncached input / cached input / output), ${plan}`,
	);
	out.push(`  5-hour: ${perMillion(cost.fiveHour)}`, `  weekly: ${perMillion(cost.weekly)}`);
	if (cost.source === 'readings') {
		const fit = (name: string, f: typeof cost.fit.weekly) =>
			f === undefined
				? `${name} not fitted (too few readings)`
				: `${name} R² ${f.r2.toFixed(3)}, typical error ${(100 * f.relativeError).toFixed(0)}% over ${f.intervals} intervals`;
		out.push(
			`  fitted from your rate-limit readings: ${fit('5-hour', cost.fit.fiveHour)}; ${fit('weekly', cost.fit.weekly)}`,
		);
	} else {
		out.push(
			`  DEFAULTS: ${cost.source === 'scaled' ? 'scaled from another plan by capacity' : 'no usable rate-limit readings; the documented defaults are assumptions (see readme)'}`,
		);
	}

	for (const [other, otherCost] of costModel.plans) {
		if (other !== plan) out.push(`  ${other}: weekly ${perMillion(otherCost.weekly)} (fitted)`);
	}

	out.push(
		'',
		'Self-check (your recorded setup replayed: each session on its own account, no pool)',
		`  limit hits: recorded ${h.recordedLimitHits}, replayed ${selfCheck.replayedLimitHits}; waiting: recorded ${h.recordedWaitHours.toFixed(1)} h, replayed ${selfCheck.replayedWaitHours.toFixed(1)} h`,
		selfCheck.withinTolerance
			? `  within tolerance (hits ±max(${TOLERANCE.hits.absolute}, ${TOLERANCE.hits.relative * 100}%), waiting ±max(${TOLERANCE.waitHours.absolute} h, ${TOLERANCE.waitHours.relative * 100}%)): the what-ifs below rest on a model that reproduces your history`
			: '  NOT within tolerance: the replay does not reproduce your recorded limits; read the what-ifs as rough',
		'',
		'What-ifs (movement and scheduler as listed)',
	);
	const rows = [['pool', 'strategy', 'move/kicks', 'interruptions', 'wait h', 'p95 pause h', 'wasted %']];
	for (const row of analysis.whatIf) {
		rows.push([
			describePool(row.plans),
			row.strategy,
			`${row.movement}/${row.scheduler}`,
			String(row.interruptions),
			row.waitHours.toFixed(1),
			row.p95PauseHours.toFixed(2),
			(100 * row.wastedShare).toFixed(1),
		]);
	}

	out.push(table(rows).replace(/^/gm, '  '), '', `Recommendation: ${recommendationLine(analysis)}`, '');
	if (h.from !== undefined) {
		const recommended = analysis.recommended;
		out.push(
			dayChart(h.recordedWaitByDay, {
				from: h.from,
				label: 'Hours waited per day, as recorded',
				...(recommended === undefined
					? {}
					: {
							compare: {
								label: `${describePool(recommended.plans)} with ${recommended.strategy}, same scale (· none):`,
								values: analysis.recommendedWaitByDay,
							},
						}),
			}),
		);
	}

	return `${out.join('\n')}\n`;
}
