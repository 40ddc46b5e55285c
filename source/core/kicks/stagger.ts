import type {PlannedKick} from '../snapshot.ts';
import type {AccountView} from '../strategies/types.ts';
import {type KickOptions, type KickPolicy, nextTickAfter, tickAt} from './types.ts';

/** Whether a kick would start the account's five-hour window and has weekly quota to charge. */
export function kickable(account: AccountView): boolean {
	return account.fiveHour.resetAt === undefined && account.weekly.usedPercent < 100;
}

const period = (accounts: readonly AccountView[]) =>
	accounts.length === 0
		? Number.POSITIVE_INFINITY
		: (accounts[0]!.fiveHour.lengthMs || 18_000_000) / accounts.length;

/**
The model's reference scheduler: ticks at `origin + j · 5 h / N`; tick `j` targets account `j mod N` (in the
order given) and kicks it only if its five-hour window is idle and its weekly quota is not exhausted.
The forecast covers the next N ticks, assuming a window idle now stays idle and an active one resets on time.
*/
export const stagger: KickPolicy = {
	name: 'stagger',
	description: 'every 5 h / N, kick the next account in rotation if its 5-hour window is idle',
	plan(accounts, now, options?: KickOptions) {
		const origin = options?.origin ?? 0;
		const tolerance = options?.toleranceMs ?? 1000;
		const step = period(accounts);
		if (!Number.isFinite(step)) return [];
		const kicks: PlannedKick[] = [];
		const current = tickAt(now, origin, step, tolerance);
		if (current >= 0) {
			const target = accounts[current % accounts.length]!;
			if (kickable(target)) kicks.push({accountId: target.id, at: now, reason: `stagger tick ${current}`});
		}

		let at = nextTickAfter(now, origin, step, tolerance);
		const horizon = options?.forecast === false ? 0 : accounts.length;
		for (let count = 0; count < horizon; count++, at += step) {
			const j = Math.round((at - origin) / step);
			const target = accounts[j % accounts.length]!;
			const resetAt = target.fiveHour.resetAt;
			const idleThen =
				(resetAt === undefined && target.running === 0) || (resetAt !== undefined && resetAt <= at);
			if (idleThen && target.weekly.usedPercent < 100) {
				kicks.push({accountId: target.id, at, reason: `stagger tick ${j}: 5-hour window idle by then`});
			}
		}

		return kicks;
	},
	nextCheck(accounts, now, options?: KickOptions) {
		const step = period(accounts);
		return Number.isFinite(step)
			? nextTickAfter(now, options?.origin ?? 0, step, options?.toleranceMs ?? 1000)
			: Number.POSITIVE_INFINITY;
	},
};
