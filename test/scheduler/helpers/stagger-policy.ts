import {HOUR} from '../../../source/core/clock.ts';
import type {KickPolicy} from '../../../source/core/scheduler/types.ts';
import type {PlannedKick} from '../../../source/core/snapshot.ts';

/*
A stand-in for the simulator's `stagger` (simulation-model.md, Kick-start), written from the model for
these tests until the shared policy is on main: ticks at origin + j × 5 h / N, tick j for account j mod N
(in the order given), kicked only if its 5-hour window is idle and its weekly quota not used up.
*/
const periodOf = (n: number) => (5 * HOUR) / n;

export const testStagger: KickPolicy = {
	name: 'stagger',
	description: 'test stand-in for stagger',
	plan(accounts, now, options) {
		const n = accounts.length;
		if (n === 0) {
			return [];
		}

		const origin = options?.origin ?? 0;
		const tolerance = options?.toleranceMs ?? 1000;
		const period = periodOf(n);
		const kicks: PlannedKick[] = [];
		const onTick = Math.floor((now - origin + tolerance) / period);
		if (onTick >= 0 && now - (origin + onTick * period) <= tolerance) {
			const target = accounts[onTick % n]!;
			if (target.fiveHour.resetAt === undefined && target.weekly.usedPercent < 100) {
				kicks.push({accountId: target.id, at: now, reason: `stagger tick ${onTick}`});
			}
		}

		for (let j = Math.max(0, onTick + 1); j <= onTick + n; j++) {
			const target = accounts[j % n]!;
			const at = origin + j * period;
			const resetAt = target.fiveHour.resetAt;
			if (resetAt === undefined || resetAt <= at) {
				kicks.push({accountId: target.id, at, reason: `stagger tick ${j}`});
			}
		}

		return kicks;
	},
	nextCheck(accounts, now, options) {
		if (accounts.length === 0) {
			return Number.POSITIVE_INFINITY;
		}

		const origin = options?.origin ?? 0;
		const period = periodOf(accounts.length);
		const j = Math.max(0, Math.floor((now - origin + (options?.toleranceMs ?? 1000)) / period) + 1);
		return origin + j * period;
	},
};
