/** Quiet hours as the settings hold them: "HH:MM" local times; no kicks from start until end. */
export type QuietHours = {readonly start: string; readonly end: string};

/** A quiet-hours setting that is not "HH:MM"-"HH:MM". The message says what to write instead. */
export class QuietHoursError extends Error {
	override name = 'QuietHoursError';
}

/** Minutes after local midnight for "HH:MM" (00:00 to 23:59); throws a QuietHoursError otherwise. */
export function parseClockTime(text: string): number {
	const match = /^(\d{1,2}):(\d{2})$/.exec(text.trim());
	const hours = Number(match?.[1]);
	const minutes = Number(match?.[2]);
	if (!match || hours > 23 || minutes > 59) {
		throw new QuietHoursError(`Quiet hours take local times as HH:MM (e.g. 22:30); "${text}" is not one.`);
	}

	return hours * 60 + minutes;
}

/** Checks both times, so a bad setting is refused when it is made rather than at the first kick. */
export function validateQuietHours(quiet: QuietHours): void {
	parseClockTime(quiet.start);
	parseClockTime(quiet.end);
}

function minuteOfDay(ms: number): number {
	const date = new Date(ms);
	return date.getHours() * 60 + date.getMinutes() + date.getSeconds() / 60 + date.getMilliseconds() / 60_000;
}

/**
Whether `ms` falls in the quiet hours (local time). The start is inside, the end is not. A span whose start
is after its end runs over midnight (22:00-07:00); equal times mean no quiet hours at all.
*/
export function isQuiet(quiet: QuietHours | undefined, ms: number): boolean {
	if (!quiet) {
		return false;
	}

	const start = parseClockTime(quiet.start);
	const end = parseClockTime(quiet.end);
	const now = minuteOfDay(ms);
	if (start === end) {
		return false;
	}

	return start < end ? now >= start && now < end : now >= start || now < end;
}

/** The first moment at or after `ms` outside the quiet hours (`ms` itself when it is not quiet). */
export function nextAllowed(quiet: QuietHours | undefined, ms: number): number {
	if (!quiet || !isQuiet(quiet, ms)) {
		return ms;
	}

	const end = parseClockTime(quiet.end);
	// Set the local wall-clock time rather than adding minutes, so a daylight-saving change lands right.
	const date = new Date(ms);
	date.setHours(Math.floor(end / 60), end % 60, 0, 0);
	if (date.getTime() <= ms) {
		date.setDate(date.getDate() + 1);
	}

	return date.getTime();
}
