import {remainingWeeklyCredits, usageOrder} from './codex-lb.ts';
import type {AccountView, Strategy} from './types.ts';
import {candidatesFor, compareIds, effectiveWindowView, weightedPick} from './views.ts';

const WEEK_SECONDS = 7 * 86_400;
const MIN_SECONDS = 300;
const MIN_WEIGHT = 0.1;
const TOP = 5;

/**
codex-lb `relative_availability`: score = remaining weekly credits / max(seconds to the weekly reset (7 days
if unknown, i.e. idle), 300), normalised by the best score; weight = score²; weights below 0.1 dropped; a
weighted random pick among the 5 heaviest (ties by id). Pressure: 2.5 points per running session. When every
score is 0 it falls back to the usage-weighted order (our choice: codex-lb's rule divides by zero there).
With none usable, a new session takes the same rule over all accounts (it starts paused).
*/
export const relativeAvailability: Strategy = {
	name: 'relative-availability',
	description: 'codex-lb: random among the top 5 by remaining weekly credits per second to reset',
	pick(accounts, context) {
		const {now} = context;
		const pool = candidatesFor(accounts, context, true);
		const scores = pool.map((account) => ({account, score: score(account, now)}));
		const best = Math.max(0, ...scores.map((entry) => entry.score));
		if (best <= 0) {
			return [...pool].sort(usageOrder(now))[0]?.id;
		}

		const top = scores
			.map((entry) => ({account: entry.account, weight: (entry.score / best) ** 2}))
			.filter((entry) => entry.weight >= MIN_WEIGHT)
			.sort((a, b) => b.weight - a.weight || compareIds(a.account.id, b.account.id))
			.slice(0, TOP);
		return weightedPick(
			top.map((entry) => entry.account),
			top.map((entry) => entry.weight),
			context.random,
		)?.id;
	},
};

function score(account: AccountView, now: number): number {
	const resetAt = effectiveWindowView(account.weekly, now).resetAt;
	const seconds = resetAt === undefined ? WEEK_SECONDS : (resetAt - now) / 1000;
	return remainingWeeklyCredits(account, now) / Math.max(seconds, MIN_SECONDS);
}
