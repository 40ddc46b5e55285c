import type {PlannedKick} from '../model.ts';
import type {AccountView} from '../strategies/types.ts';

/**
A kick policy decides when to send an account a minimal request that starts its idle quota windows, so
that the accounts' windows reset in a staggered pattern instead of all at once. Policies are pure
functions of the pool as a strategy sees it (`AccountView`) and the time (ms since the epoch); the
simulator and the live cron scheduler run the very same code.

How a caller runs a policy (the simulator does exactly this; the live scheduler must too):
1. At time `now`, call `plan(accounts, now, options)`. Every returned kick with `at <= now` is due: send
   it now (a kick charges a tiny amount to the account, starting its idle windows). Kicks with a later
   `at` are a forecast for display (the TUI's "next kicks"): they are re-decided at their time, with the
   state as it is then, and may not happen.
2. Call `nextCheck(accounts, now, options)` and wake up at that time (ms; `Infinity`: never) to repeat 1.
   Waking up more often is harmless: `plan` returns nothing due between the policy's checks.
Kicks are not picks: they do not change any account's last-picked time.
*/
export type KickPolicy = {
	readonly name: string;
	/** One line for `codexpool simulate --help`, the TUI and the scheduler's status. */
	readonly description: string;
	readonly plan: (accounts: readonly AccountView[], now: number, options?: KickOptions) => PlannedKick[];
	/** The first time strictly after `now` at which `plan` may have a kick due. */
	readonly nextCheck: (accounts: readonly AccountView[], now: number, options?: KickOptions) => number;
};

export type KickOptions = {
	/** Origin of the policy's tick grid (ms since the epoch); default 0. */
	readonly origin?: number;
	/**
	How late (ms) a check may run and still count as on its tick; default 1000 (a cron timer's precision).
	The simulator passes its instant (1e-9 h).
	*/
	readonly toleranceMs?: number;
	/** Include the forecast (later kicks) in plan()'s answer; default true. The simulator needs only what is due. */
	readonly forecast?: boolean;
};

/** Ticks of a grid of period `periodMs` from `origin`: the index of the tick `now` is on, or -1. */
export function tickAt(now: number, origin: number, periodMs: number, toleranceMs: number): number {
	const index = Math.floor((now - origin + toleranceMs) / periodMs);
	if (index < 0) {
		return -1;
	}

	return now - (origin + index * periodMs) <= toleranceMs ? index : -1;
}

/** The first tick of the grid strictly after `now` (beyond the tolerance). */
export function nextTickAfter(now: number, origin: number, periodMs: number, toleranceMs: number): number {
	const index = Math.max(0, Math.floor((now - origin + toleranceMs) / periodMs) + 1);
	return origin + index * periodMs;
}
