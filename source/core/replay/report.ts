import type {Analysis} from './analysis.ts';
import type {WindowFit} from './cost-fit.ts';
import type {PlanCost} from './cost-model.ts';

const iso = (ms: number | undefined) => (ms === undefined ? null : new Date(ms).toISOString());
const round = (value: number, digits = 3) => Number(value.toFixed(digits));

function fitJson(fit: WindowFit | undefined) {
	return fit === undefined
		? null
		: {intervals: fit.intervals, r2: round(fit.r2, 4), relativeError: round(fit.relativeError, 4)};
}

function planJson(cost: PlanCost) {
	return {
		source: cost.source,
		fiveHour: cost.fiveHour ?? null,
		weekly: cost.weekly,
		fit: {fiveHour: fitJson(cost.fit.fiveHour), weekly: fitJson(cost.fit.weekly)},
	};
}

/** The plan the cost model's headline figures are for: the plan of most requests. */
export function mainPlan(analysis: Analysis): string {
	const first = analysis.history.accounts[0];
	return first === undefined ? analysis.planOf('unknown') : analysis.planOf(first.id);
}

/** The recommendation in one line, e.g. "3 plus accounts with ours: 0 interruptions in your last 30 days; 2: …". */
export function recommendationLine(analysis: Analysis): string {
	const {recommended, oneFewer, history} = analysis;
	if (recommended === undefined || history.requests === 0) {
		return 'No recommendation: no requests in the history read (see --codex-home, --days and --home).';
	}

	const days =
		history.from === undefined ? 0 : Math.max(1, Math.round((history.to! - history.from) / 86_400_000));
	const pool = describePool(recommended.plans);
	const head = `${pool} with ${recommended.strategy}: ${interruptions(recommended.interruptions)}${
		recommended.waitHours > 0 ? `, ${recommended.waitHours.toFixed(1)} h waited` : ''
	} in your last ${days} days`;
	if (oneFewer === undefined) return `${head}.`;
	return `${head}; ${oneFewer.accounts}: ${interruptions(oneFewer.interruptions)}, ${oneFewer.waitHours.toFixed(1)} h.`;
}

const interruptions = (count: number) => `${count} interruption${count === 1 ? '' : 's'}`;

/** "3 Plus accounts", "2 Plus + 1 Pro accounts". */
export function describePool(plans: readonly string[]): string {
	const counts = new Map<string, number>();
	for (const plan of plans) counts.set(plan, (counts.get(plan) ?? 0) + 1);
	const title = (plan: string) => plan.charAt(0).toUpperCase() + plan.slice(1);
	const parts = [...counts].map(([plan, count]) => `${count} ${title(plan)}`);
	return `${parts.join(' + ')} account${plans.length === 1 ? '' : 's'}`;
}

/** The `--json` report, in the shape issue 20 gives. */
export function jsonReport(analysis: Analysis) {
	const {history, costModel, selfCheck, recommended, oneFewer} = analysis;
	const plan = mainPlan(analysis);
	const headline = costModel.costOf(plan);
	const plans = new Set([...history.accounts.map((account) => analysis.planOf(account.id)), plan]);
	for (const row of analysis.whatIf) for (const p of row.plans) plans.add(p);
	return {
		history: {
			from: iso(history.from),
			to: iso(history.to),
			sessions: history.sessions,
			requests: history.requests,
			tokens: history.tokens,
			accounts: history.accounts.map((account) => ({
				id: account.id,
				plan: account.plan ?? null,
				sessions: account.sessions,
				requests: account.requests,
			})),
			recordedLimitHits: history.recordedLimitHits,
			recordedWaitHours: round(history.recordedWaitHours),
			malformedLines: history.malformedLines + history.unknownLines,
		},
		costModel: {
			fiveHour: headline.fiveHour ?? null,
			weekly: headline.weekly,
			fit: {
				plan,
				source: headline.source,
				defaultsUsed: headline.source === 'default',
				fiveHour: fitJson(headline.fit.fiveHour),
				weekly: fitJson(headline.fit.weekly),
				plans: Object.fromEntries([...plans].map((name) => [name, planJson(costModel.costOf(name))])),
			},
		},
		selfCheck: {
			replayedLimitHits: selfCheck.replayedLimitHits,
			replayedWaitHours: round(selfCheck.replayedWaitHours),
			withinTolerance: selfCheck.withinTolerance,
		},
		whatIf: analysis.whatIf.map((row) => ({
			accounts: row.accounts,
			plans: row.plans,
			strategy: row.strategy,
			movement: row.movement,
			scheduler: row.scheduler,
			interruptions: row.interruptions,
			waitHours: round(row.waitHours),
			p95PauseHours: round(row.p95PauseHours),
			wastedShare: round(row.wastedShare, 4),
		})),
		recommendation:
			recommended === undefined
				? null
				: {
						accounts: recommended.accounts,
						plans: recommended.plans,
						strategy: recommended.strategy,
						interruptions: recommended.interruptions,
						waitHours: round(recommended.waitHours),
						oneFewer:
							oneFewer === undefined
								? null
								: {
										accounts: oneFewer.accounts,
										plans: oneFewer.plans,
										interruptions: oneFewer.interruptions,
										waitHours: round(oneFewer.waitHours),
									},
						line: recommendationLine(analysis),
					},
	};
}
