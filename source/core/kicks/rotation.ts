import type {PlannedKick} from '../model.ts';
import type {AccountView} from '../strategies/types.ts';
import {type KickOptions, nextTickAfter, tickAt} from './types.ts';

/** Whether a kick would start the account's five-hour window and has weekly quota to charge. */
export function kickable(account: AccountView): boolean {
	return account.fiveHour.resetAt === undefined && account.weekly.usedPercent < 100;
}

/** The rotation's tick length: 5 h / N (infinite for an empty pool). */
export function rotationPeriod(accounts: readonly AccountView[]): number {
	return accounts.length === 0
		? Number.POSITIVE_INFINITY
		: (accounts[0]!.fiveHour.lengthMs || 18_000_000) / accounts.length;
}

/**
The stagger rotation both `stagger` and `ours` run: ticks at `origin + j · 5 h / N`; tick `j` targets account
`j mod N` (in the order given) and kicks it only if its five-hour window is idle and its weekly quota is not
spent. `due` is the tick at `now`, if `now` is one (`undefined` off the grid, -1 before the origin);
`forecast` covers the next N ticks, assuming a window idle now stays idle and an active one resets on time.
*/
export function rotation(
	accounts: readonly AccountView[],
	now: number,
	options: KickOptions | undefined,
	label: string,
): {readonly tick: number; readonly due: PlannedKick[]; readonly forecast: PlannedKick[]} {
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
		const resetAt = target.fiveHour.resetAt;
		const idleThen =
			(resetAt === undefined && target.running === 0) || (resetAt !== undefined && resetAt <= at);
		if (idleThen && target.weekly.usedPercent < 100) {
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
