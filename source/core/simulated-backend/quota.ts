import {MINUTE} from '../clock.ts';
import {FIVE_HOUR_MINUTES, WEEKLY_MINUTES} from '../quota/types.ts';

/**
One simulated quota window. It is idle until the first charge, then runs for `lengthMinutes` and becomes
idle again (nothing used) once its reset time has passed.
*/
export type SimulatedWindow = {
	readonly lengthMinutes: number;
	/** Units the window holds; `used >= limit` means exhausted. */
	limit: number;
	used: number;
	/** Clock ms when the window started; undefined while idle. */
	startedAt: number | undefined;
};

/** How a window is reported at a moment (headers, /wham/usage, 429 bodies). */
export type WindowReport = {
	readonly windowMinutes: number;
	/** 0..100, float. */
	readonly usedPercent: number;
	/** Unix seconds. Idle windows slide: now + window length. */
	readonly resetAt: number;
	readonly resetAfterSeconds: number;
	readonly isIdle: boolean;
	readonly isExhausted: boolean;
};

export function createWindow(lengthMinutes: number, limit: number): SimulatedWindow {
	return {lengthMinutes, limit, used: 0, startedAt: undefined};
}

/** Resets the window to idle when its time is over. */
export function settleWindow(window: SimulatedWindow, now: number): void {
	if (window.startedAt !== undefined && now >= window.startedAt + window.lengthMinutes * MINUTE) {
		window.startedAt = undefined;
		window.used = 0;
	}
}

/** Adds `units` to the window, starting it if it was idle. */
export function chargeWindow(window: SimulatedWindow, units: number, now: number): void {
	settleWindow(window, now);
	if (units <= 0) {
		return;
	}

	window.startedAt ??= now;
	window.used += units;
}

/** Sets the used share directly (tests, the demo); a share above 0 starts an idle window. */
export function setWindowPercent(window: SimulatedWindow, percent: number, now: number): void {
	settleWindow(window, now);
	window.used = (Math.max(0, Math.min(100, percent)) / 100) * window.limit;
	if (window.used > 0) {
		window.startedAt ??= now;
	}
}

export function isExhausted(window: SimulatedWindow, now: number): boolean {
	settleWindow(window, now);
	return window.used >= window.limit;
}

/**
The window as the backend reports it. An idle window shows `idleUsedPercent` (the real backend shows 0 or
about 1) and a reset time that keeps sliding with the clock.
*/
export function reportWindow(window: SimulatedWindow, now: number, idleUsedPercent: number): WindowReport {
	settleWindow(window, now);
	const lengthMs = window.lengthMinutes * MINUTE;
	const isIdle = window.startedAt === undefined;
	const resetAtMs = isIdle ? now + lengthMs : (window.startedAt ?? now) + lengthMs;
	const usedPercent = isIdle ? idleUsedPercent : Math.min(100, (window.used / window.limit) * 100);
	return {
		windowMinutes: window.lengthMinutes,
		usedPercent: Math.round(usedPercent * 100) / 100,
		resetAt: Math.ceil(resetAtMs / 1000),
		resetAfterSeconds: Math.max(0, Math.ceil((resetAtMs - now) / 1000)),
		isIdle,
		isExhausted: window.used >= window.limit,
	};
}

/**
An account's two windows; `weeklyOnly` accounts (free-style plans) have no five-hour window, and an account's
five-hour window may vanish and come back (setFiveHourWindow), as the backend's did in July-August 2026.
*/
export type AccountWindows = {
	fiveHour: SimulatedWindow | undefined;
	readonly weekly: SimulatedWindow;
	/** Units a five-hour window holds, also when one comes back. */
	readonly fiveHourLimit: number;
	/** Its length: 300 minutes, unless the account was given a short window of another length. */
	readonly fiveHourMinutes: number;
};

export function createAccountWindows(options: {
	fiveHourLimit: number;
	weeklyLimit: number;
	weeklyOnly: boolean;
	fiveHourMinutes?: number | undefined;
}): AccountWindows {
	const fiveHourMinutes = options.fiveHourMinutes ?? FIVE_HOUR_MINUTES;
	return {
		fiveHour: options.weeklyOnly ? undefined : createWindow(fiveHourMinutes, options.fiveHourLimit),
		weekly: createWindow(WEEKLY_MINUTES, options.weeklyLimit),
		fiveHourLimit: options.fiveHourLimit,
		fiveHourMinutes,
	};
}

/**
Drops the five-hour window (it is neither charged nor reported from then on) or brings it back, idle and
unused, as the backend did when it restored the window.
*/
export function setFiveHourWindow(windows: AccountWindows, present: boolean): void {
	if (!present) {
		windows.fiveHour = undefined;
	} else if (windows.fiveHour === undefined) {
		windows.fiveHour = createWindow(windows.fiveHourMinutes, windows.fiveHourLimit);
	}
}

/** The windows in header order: primary first (the five-hour one when present), then secondary. */
export function windowSlots(windows: AccountWindows): [SimulatedWindow, SimulatedWindow | undefined] {
	return windows.fiveHour ? [windows.fiveHour, windows.weekly] : [windows.weekly, undefined];
}

export function chargeAccount(windows: AccountWindows, units: number, now: number): void {
	for (const window of windowSlots(windows)) {
		if (window) {
			chargeWindow(window, units, now);
		}
	}
}

/** The exhausted window that resets last (the one that keeps the account blocked longest), if any. */
export function blockingWindow(windows: AccountWindows, now: number): SimulatedWindow | undefined {
	let blocking: SimulatedWindow | undefined;
	for (const window of windowSlots(windows)) {
		if (window && isExhausted(window, now)) {
			if (!blocking || (window.startedAt ?? now) + window.lengthMinutes * MINUTE > endOf(blocking, now)) {
				blocking = window;
			}
		}
	}

	return blocking;
}

function endOf(window: SimulatedWindow, now: number): number {
	return (window.startedAt ?? now) + window.lengthMinutes * MINUTE;
}
