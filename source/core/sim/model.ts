/**
The constants and parameters of the interruption model (`docs/simulation-model.md`). Quota is in units of
one weekly quota, time in hours.
*/

/** Weekly quota. */
export const WEEKLY_QUOTA = 1;
/** Five-hour quota, as a share of the weekly one. */
export const FIVE_HOUR_QUOTA = 0.12;
export const WEEKLY_HOURS = 168;
export const FIVE_HOUR_HOURS = 5;
/** Quota a running session draws per hour. */
export const SESSION_RATE = 0.06;
/** What a kick charges (or the usable quota, if less). */
export const KICK_AMOUNT = 0.0001;
/** Events closer than this (hours) are one instant; quota at or below it is not usable. */
export const INSTANT = 1e-9;
export const MS_PER_HOUR = 3_600_000;

export type Scenario = 'flat' | 'workday';

/**
Which windows the pool's accounts have: `standard` (every account a five-hour and a weekly window, the
model's pool), `weekly-only` (no account has a five-hour window: plans metered weekly, or the months the
backend dropped the 5-hour window; each account has the weekly quota W alone), `mixed` (accounts a2, a4, ...
have no five-hour window, the others have both).
*/
export type PoolKind = 'standard' | 'weekly-only' | 'mixed';
export const POOL_KINDS: readonly PoolKind[] = ['standard', 'weekly-only', 'mixed'];

/**
The user's caps on an account (used percent, 1..100, at which it stops taking work until the window resets),
per window; a window without one is used to 100%.
*/
export type SimCaps = {readonly fiveHour?: number | undefined; readonly weekly?: number | undefined};

/** One simulated setting: everything that, with a seed, determines a run. */
export type SimParams = {
	/** Number of accounts N. */
	readonly accounts: number;
	/** Horizon T, in days. */
	readonly days: number;
	/** Load: the share of the pool's weekly capacity the work asks for. */
	readonly rho: number;
	/** Mean session size m, in weekly quotas. */
	readonly mean: number;
	readonly scenario: Scenario;
	/** Whether a session whose account is exhausted may continue on another one. */
	readonly movement: boolean;
	/** Which windows the accounts have (default `standard`). */
	readonly pool?: PoolKind | undefined;
	/** Caps on every account (default none). */
	readonly caps?: SimCaps | undefined;
	/** Caps per account, by index (`a1` first), over `caps`; shorter than the pool: the rest use `caps`. */
	readonly accountCaps?: readonly (SimCaps | undefined)[] | undefined;
};

/** What one run reports (see "What a run reports" in the model). */
export type RunResult = {
	readonly interruptions: number;
	readonly waitHours: number;
	readonly moves: number;
	readonly p95PauseHours: number;
	/** Quota lost at weekly resets, over the pool's capacity in the horizon. */
	readonly wastedShare: number;
	/** Everything charged, kicks included (weekly quotas). */
	readonly served: number;
	/** Sessions that arrived in the horizon. */
	readonly sessions: number;
};

/** Arrival rate lambda (sessions per hour) for a load, a mean size and a pool size. */
export function arrivalRate(rho: number, mean: number, accounts: number): number {
	return (rho * accounts) / WEEKLY_HOURS / mean;
}

/** The standard grid: every rho with every mean size. */
export const GRID_RHO = [0.5, 0.8, 1.0, 1.2] as const;
export const GRID_MEAN = [0.005, 0.02, 0.08] as const;
