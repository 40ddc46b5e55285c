import type {QuotaWindow} from './types.ts';

/** A window reporting at most this used percent may be an unstarted one (the upstream shows 0 or 1). */
export const IDLE_MAX_PERCENT = 1;

/**
How far a reported reset may be from `observedAt + length` and still be the sliding reset of an unstarted
window: reset-at comes in whole seconds, and the observation time is taken when the response arrives.
*/
export const IDLE_RESET_TOLERANCE_MS = 2 * 60_000;

/**
Whether a reported window is really idle. The upstream does not say "idle": for a window that has not
started it reports about 0-1% used and a reset time that keeps sliding, always one window length after the
moment of the report. A window that started within the tolerance looks the same; treating it as idle costs
at most that much precision and the next report corrects it.
*/
export function looksIdle(window: QuotaWindow, observedAt: number): boolean {
	if (window.usedPercent > IDLE_MAX_PERCENT) {
		return false;
	}

	if (window.resetAt === undefined) {
		return true;
	}

	const slidingReset = observedAt + window.lengthMinutes * 60_000;
	return Math.abs(window.resetAt - slidingReset) <= IDLE_RESET_TOLERANCE_MS;
}

/** The window with an unstarted one normalised to idle: 0% and no reset time. */
export function normaliseIdle(window: QuotaWindow, observedAt: number): QuotaWindow {
	if (!looksIdle(window, observedAt)) {
		return window;
	}

	return window.resetAt === undefined
		? {...window, usedPercent: 0}
		: {...window, usedPercent: 0, resetAt: undefined, idleResetAt: window.resetAt};
}
