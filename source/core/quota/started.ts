import {IDLE_MAX_PERCENT, IDLE_RESET_TOLERANCE_MS} from './idle.ts';
import {effectiveWindow} from './state.ts';
import type {AccountQuota, QuotaWindow} from './types.ts';

/*
The first request that uses tokens starts every idle window of its account (shared/simulation-model.md). The
usage that request reports cannot say so for a while: a window that started a moment ago reads about 0 % with
a reset one window length after the report, exactly like an idle one (idle.ts), until a poll two minutes or
more later. So the pool learns it from the request itself, and keeps it against readings that look idle.
*/

/**
The quota after a request that used tokens, started at `startAt`: each window idle then is running, until the
reset its idle-looking report gave when that was this request's (the upstream's own time, to the second), else
one window length after the start.
*/
export function startedBy(quota: AccountQuota, startAt: number): AccountQuota {
	const start = (window: QuotaWindow | undefined): QuotaWindow | undefined => {
		if (window === undefined || effectiveWindow(window, startAt).resetAt !== undefined) {
			return window;
		}

		const estimate = startAt + window.lengthMinutes * 60_000;
		const reported = window.resetAt === undefined ? window.idleResetAt : undefined;
		const resetAt =
			reported !== undefined && Math.abs(reported - estimate) <= IDLE_RESET_TOLERANCE_MS
				? reported
				: estimate;
		return {kind: window.kind, lengthMinutes: window.lengthMinutes, usedPercent: 0, resetAt};
	};

	return {...quota, fiveHour: start(quota.fiveHour), weekly: start(quota.weekly)};
}

/**
A new reading of a window, against the one known: a reading that looks idle (0 %, no reset) while the known
window runs, barely used, until after the reading is the window a request just started, not an idle one.
Any other reading is the newer word.
*/
export function newerWindow(
	known: QuotaWindow | undefined,
	reading: QuotaWindow,
	observedAt: number,
): QuotaWindow {
	const isRunningBarelyUsed =
		known?.resetAt !== undefined && known.resetAt > observedAt && known.usedPercent <= IDLE_MAX_PERCENT;
	return reading.resetAt === undefined && isRunningBarelyUsed && known.lengthMinutes === reading.lengthMinutes
		? known
		: reading;
}
