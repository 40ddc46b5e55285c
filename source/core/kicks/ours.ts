import type {PlannedKick} from '../snapshot.ts';
import type {AccountView} from '../strategies/types.ts';
import {type KickOptions, type KickPolicy, nextTickAfter, tickAt} from './types.ts';

/**
Our kick policy, `ours`: the stagger rotation (a tick every 5 h / N; tick j looks at account j mod N), but a
kick must never synchronise the weekly windows. A kick starts every idle window of its account, so kicking
an account whose weekly window is idle would start its weekly clock next to the others' (stagger starts
all of them within the first five hours, so they all reset, and run dry, together). So tick j kicks its
account only if its five-hour window is idle, its weekly quota is not exhausted, and either its weekly
window is already running, or the youngest running weekly window in the pool is at least a week / N old
(the phase gate `phase-targeting` and `ours` apply to their own picks).
*/
export function createOursKicks(mode: 'gated' | 'active-only' = 'gated'): KickPolicy {
	const wants = (accounts: readonly AccountView[], target: AccountView, at: number) => {
		const fiveHourIdle =
			target.fiveHour.resetAt === undefined
				? target.running === 0 || at === undefined
				: target.fiveHour.resetAt <= at;
		if (!fiveHourIdle || target.weekly.usedPercent >= 100) return false;
		const weeklyRunning = target.weekly.resetAt !== undefined && target.weekly.resetAt > at;
		return weeklyRunning || (mode === 'gated' && weeklyGateOpen(accounts, at));
	};

	return {
		name: 'ours',
		description: 'stagger the 5-hour windows every 5 h / N, never starting weekly windows together',
		plan(accounts, now, options?: KickOptions) {
			const origin = options?.origin ?? 0;
			const tolerance = options?.toleranceMs ?? 1000;
			const step = period(accounts);
			if (!Number.isFinite(step)) return [];
			const kicks: PlannedKick[] = [];
			const current = tickAt(now, origin, step, tolerance);
			if (current >= 0) {
				const target = accounts[current % accounts.length]!;
				if (target.fiveHour.resetAt === undefined && wants(accounts, target, now)) {
					kicks.push({accountId: target.id, at: now, reason: `rotation tick ${current}`});
				}
			}

			let at = nextTickAfter(now, origin, step, tolerance);
			for (let count = 0; count < accounts.length; count++, at += step) {
				const j = Math.round((at - origin) / step);
				const target = accounts[j % accounts.length]!;
				if (wants(accounts, target, at)) {
					kicks.push({accountId: target.id, at, reason: `rotation tick ${j}: 5-hour window idle by then`});
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
}

/** Whether a weekly window may start at `at`: the youngest running one is at least a week / N old. */
export function weeklyGateOpen(accounts: readonly AccountView[], at: number): boolean {
	for (const account of accounts) {
		const {resetAt, lengthMs} = account.weekly;
		if (resetAt !== undefined && resetAt > at && at - (resetAt - lengthMs) < lengthMs / accounts.length) {
			return false;
		}
	}

	return true;
}

function period(accounts: readonly AccountView[]): number {
	return accounts.length === 0
		? Number.POSITIVE_INFINITY
		: (accounts[0]!.fiveHour.lengthMs || 18_000_000) / accounts.length;
}

export const ours: KickPolicy = createOursKicks('gated');
