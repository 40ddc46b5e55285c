import {FIVE_HOUR_MINUTES, WEEKLY_MINUTES, type WindowKind} from './types.ts';

/**
The kind of a window from its length in minutes: 300 is the five-hour window, 10080 the weekly one, and any
other length goes to the nearer of the two. Never by the slot it came in: free and prolite plans report
their weekly window in the primary slot.
*/
export function classifyWindow(lengthMinutes: number): WindowKind {
	const toFiveHour = Math.abs(lengthMinutes - FIVE_HOUR_MINUTES);
	const toWeekly = Math.abs(lengthMinutes - WEEKLY_MINUTES);
	return toWeekly < toFiveHour ? 'weekly' : 'five-hour';
}

/** The standard length of a window kind, in minutes. */
export function standardMinutes(kind: WindowKind): number {
	return kind === 'weekly' ? WEEKLY_MINUTES : FIVE_HOUR_MINUTES;
}
