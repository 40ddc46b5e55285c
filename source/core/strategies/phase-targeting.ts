import type {AccountView, Strategy, WindowView} from './types.ts';
import {
	candidatesFor,
	effectiveWindowView,
	isIdle,
	lastPickedKey,
	minBy,
	remainingFraction,
} from './views.ts';

type WindowKey = 'fiveHour' | 'weekly';
const WINDOWS: readonly WindowKey[] = ['fiveHour', 'weekly'];

/**
The scheduling post's `phase-targeting` (cx), applied to both windows so that resets spread evenly:
- a pick that would start an idle window of some length is allowed only once the youngest started window of
  that length in the pool is at least length/N old (N = the accounts the strategy sees);
- if some usable account may be started under that rule, it is chosen (starting windows on schedule is
  the point);
- otherwise, among accounts whose windows are all started, the largest score wins:
  Σ over both windows of (remaining fraction − fraction of the window still to run), i.e. the quota that
  would be lost at reset if spent at an even pace (an idle window scores 0);
- if no started account is usable either, an idle one is started anyway rather than refusing work.
Ties: higher score, least recently picked, id. With none usable, a new session takes the same rule over all
accounts (it starts paused).
*/
export const phaseTargeting: Strategy = {
	name: 'phase-targeting',
	description: 'Scheduling post: start windows at even phases, spend what would be lost at reset first',
	pick(accounts, context) {
		const {now} = context;
		const candidates = candidatesFor(accounts, context, true);
		const mayStart = startGates(accounts, now);
		const started = candidates.filter((account) => idleWindows(account, now).length === 0);
		const startable = candidates.filter((account) => {
			const idle = idleWindows(account, now);
			return idle.length > 0 && idle.every((key) => mayStart[key]);
		});
		const pool = startable.length > 0 ? startable : started.length > 0 ? started : candidates;
		return minBy(pool, (account) => [-phaseScore(account, now), lastPickedKey(account)])?.id;
	},
};

/**
Σ over the account's windows of (remaining fraction − fraction still to run); an idle window contributes 0,
and so does one the account does not have.
*/
export function phaseScore(account: AccountView, now: number): number {
	let score = 0;
	for (const key of WINDOWS) {
		const window = account[key];
		if (window !== undefined) {
			score += remainingFraction(window, now) - fractionToRun(window, now);
		}
	}

	return score;
}

/**
For each window length: may a window of that length start now (youngest started one ≥ length/N old)? N counts
the accounts that have a window of that length: in a pool where some have no five-hour window, the others
share the five-hour phases.
*/
export function startGates(accounts: readonly AccountView[], now: number): Record<WindowKey, boolean> {
	const gates: Record<WindowKey, boolean> = {fiveHour: true, weekly: true};
	for (const key of WINDOWS) {
		const having = accounts.filter((account) => account[key] !== undefined);
		for (const account of having) {
			const window = effectiveWindowView(account[key]!, now);
			if (window.resetAt === undefined) {
				continue;
			}

			const age = now - (window.resetAt - window.lengthMs);
			if (age < window.lengthMs / having.length) {
				gates[key] = false;
			}
		}
	}

	return gates;
}

/** The windows the account has that are idle now (a window it does not have is never started). */
function idleWindows(account: AccountView, now: number): WindowKey[] {
	return WINDOWS.filter((key) => isIdle(account[key], now));
}

function fractionToRun(window: WindowView, now: number): number {
	const resetAt = effectiveWindowView(window, now).resetAt;
	if (resetAt === undefined) {
		return 1;
	}

	return Math.min(1, Math.max(0, (resetAt - now) / window.lengthMs));
}
