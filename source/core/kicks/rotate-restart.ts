import type {AccountView} from '../strategies/types.ts';
import {nextRotationTick, rotation, rotationPeriod, weeklyLeft} from './rotation.ts';
import type {KickOptions, KickPolicy} from './types.ts';

/**
`rotate-restart` (formerly `ours`), the live scheduler's default: the stagger rotation, plus a restart at
every weekly reset.
- the stagger rotation: a tick every 5 h / N; tick j kicks account j mod N (in the order given) if its
  five-hour window is idle and its weekly quota is not spent, so the five-hour windows reset in turn;
- plus a check at every weekly reset: an account whose windows are then all idle, with nothing running,
  is kicked at once instead of at its next tick (up to 5 h later). An idle weekly window is capacity
  lost for good (a window only starts on use), and in a busy pool that hour matters.
Measured alternative, rejected: gating weekly starts to even phases (a week / N apart), as phase-targeting
does for picks. It spreads the weekly resets but leaves accounts idle at the start; with rho ≥ 1 that
lost capacity roughly doubled the wait, and at rho 0.8 it waits longer too (bench/results/weekly-crunch.md).
*/
export const rotateRestart: KickPolicy = {
	name: 'rotate-restart',
	description: 'stagger the 5-hour windows every 5 h / N and restart a weekly window the moment it resets',
	plan(accounts, now, options?: KickOptions) {
		const {tick, due, forecast} = rotation(accounts, now, options, 'rotation tick');
		if (tick < 0 && Number.isFinite(rotationPeriod(accounts))) {
			// Off the rotation, a check is a weekly reset: restart every account left wholly idle.
			for (const account of accounts) {
				if (whollyIdle(account) && weeklyLeft(account)) {
					due.push({accountId: account.id, at: now, reason: 'weekly window reset: restart it now'});
				}
			}
		}

		return [...due, ...forecast].sort((a, b) => a.at - b.at);
	},
	nextCheck(accounts, now, options?: KickOptions) {
		const tolerance = options?.toleranceMs ?? 1000;
		let next = nextRotationTick(accounts, now, options);
		for (const account of accounts) {
			const resetAt = account.weekly.resetAt;
			if (resetAt !== undefined && resetAt > now + tolerance) next = Math.min(next, resetAt);
		}

		return next;
	},
};

/** Both windows idle and nothing running; an account without a five-hour window is never kicked. */
function whollyIdle(account: AccountView): boolean {
	return (
		account.fiveHour !== undefined &&
		account.weekly.resetAt === undefined &&
		account.fiveHour.resetAt === undefined &&
		account.running === 0
	);
}
