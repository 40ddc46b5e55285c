import type {PlannedKick} from '../model.ts';
import type {AccountView} from '../strategies/types.ts';
import {capPercent} from '../strategies/views.ts';
import {type KickOptions, nextTickAfter, tickAt} from './types.ts';

/**
Whether a kick would start the account's five-hour window and it has weekly quota to charge (below 100% and
below the user's weekly cap). An account without a five-hour window is never kicked: a kick cannot stagger
what does not exist, and it would only start its weekly window early.
*/
export function kickable(account: AccountView): boolean {
	return account.fiveHour?.resetAt === undefined && account.fiveHour !== undefined && weeklyLeft(account);
}

/** Whether the weekly window is below its limit (100%, or the user's weekly cap). */
export function weeklyLeft(account: AccountView): boolean {
	return account.weekly.usedPercent < capPercent(account, 'weekly');
}

/** The accounts a rotation spaces: those with a five-hour window, in the order given. */
export function rotating(accounts: readonly AccountView[]): readonly AccountView[] {
	return accounts.every((account) => account.fiveHour !== undefined)
		? accounts
		: accounts.filter((account) => account.fiveHour !== undefined);
}

/** The rotation's tick length: 5 h / N over the accounts with a five-hour window (infinite if none). */
export function rotationPeriod(accounts: readonly AccountView[]): number {
	const spaced = rotating(accounts);
	return spaced.length === 0
		? Number.POSITIVE_INFINITY
		: (spaced[0]!.fiveHour!.lengthMs || 18_000_000) / spaced.length;
}

/**
The stagger rotation both `stagger` and `rotate-restart` run: ticks at `origin + j · 5 h / N`; tick `j` targets account
`j mod N` (in the order given) and kicks it only if its five-hour window is idle and its weekly quota is not
spent. `due` is the tick at `now`, if `now` is one (`undefined` off the grid, -1 before the origin);
`forecast` covers the next N ticks, assuming a window idle now stays idle and an active one resets on time.
Only accounts with a five-hour window take part (N counts them).
*/
export function rotation(
	all: readonly AccountView[],
	now: number,
	options: KickOptions | undefined,
	label: string,
): {readonly tick: number; readonly due: PlannedKick[]; readonly forecast: PlannedKick[]} {
	const accounts = rotating(all);
	const origin = options?.origin ?? 0;
	const tolerance = options?.toleranceMs ?? 1000;
	const step = rotationPeriod(accounts);
	if (!Number.isFinite(step)) {
		return {tick: -1, due: [], forecast: []};
	}

	const due: PlannedKick[] = [];
	const tick = tickAt(now, origin, step, tolerance);
	if (tick >= 0) {
		const target = accounts[tick % accounts.length]!;
		if (kickable(target)) due.push({accountId: target.id, at: now, reason: `${label} ${tick}`});
	}

	const forecast: PlannedKick[] = [];
	let at = nextTickAfter(now, origin, step, tolerance);
	const horizon = options?.forecast === false ? 0 : accounts.length;
	for (let count = 0; count < horizon; count++, at += step) {
		const j = Math.round((at - origin) / step);
		const target = accounts[j % accounts.length]!;
		const resetAt = target.fiveHour!.resetAt;
		const idleThen =
			(resetAt === undefined && target.running === 0) || (resetAt !== undefined && resetAt <= at);
		if (idleThen && weeklyLeft(target)) {
			forecast.push({accountId: target.id, at, reason: `${label} ${j}: 5-hour window idle by then`});
		}
	}

	return {tick, due, forecast};
}

/** When the rotation next ticks after `now`. */
export function nextRotationTick(
	accounts: readonly AccountView[],
	now: number,
	options: KickOptions | undefined,
): number {
	const step = rotationPeriod(accounts);
	return Number.isFinite(step)
		? nextTickAfter(now, options?.origin ?? 0, step, options?.toleranceMs ?? 1000)
		: Number.POSITIVE_INFINITY;
}
