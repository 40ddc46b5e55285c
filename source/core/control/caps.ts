import type {AccountCaps} from '../model.ts';

/*
Caps: the used percent of a window at which an account stops taking pool traffic, as if the window were
exhausted, until the window resets ("never burn this account past N %"). Unlike `sequential`'s switch
threshold, which only moves new work on while the account stays usable, a cap forbids.
*/

/** The caps as given, checked: each a number from 1 to 100; none given (or undefined) means off. */
export function checkCaps(caps: unknown): AccountCaps | undefined {
	if (caps === undefined || caps === null) {
		return undefined;
	}

	if (typeof caps !== 'object' || Array.isArray(caps)) {
		throw new Error('Caps are {"fiveHour": percent, "weekly": percent}, each from 1 to 100.');
	}

	// A misspelt window would otherwise read as "no caps given" and take the caps off.
	const unknown = Object.keys(caps).find((key) => key !== 'fiveHour' && key !== 'weekly');
	if (unknown !== undefined) {
		throw new Error(`Unknown cap "${unknown}": caps are {"fiveHour": percent, "weekly": percent}.`);
	}

	const {fiveHour, weekly} = caps as Record<string, unknown>;
	const checked = {fiveHour: percent('5-hour', fiveHour), weekly: percent('weekly', weekly)};
	if (checked.fiveHour === undefined && checked.weekly === undefined) {
		return undefined;
	}

	return {
		...(checked.fiveHour === undefined ? {} : {fiveHour: checked.fiveHour}),
		...(checked.weekly === undefined ? {} : {weekly: checked.weekly}),
	};
}

function percent(window: string, value: unknown): number | undefined {
	if (value === undefined || value === null) {
		return undefined;
	}

	if (typeof value !== 'number' || !Number.isFinite(value) || value < 1 || value > 100) {
		throw new Error(`The ${window} cap must be a percent from 1 to 100 (got ${JSON.stringify(value)}).`);
	}

	return value;
}

/** The caps in a few words: `5-hour 90 %, weekly 80 %`, or undefined when there are none. */
export function capsText(caps: AccountCaps | undefined): string | undefined {
	const parts = [
		caps?.fiveHour === undefined ? undefined : `5-hour ${caps.fiveHour} %`,
		caps?.weekly === undefined ? undefined : `weekly ${caps.weekly} %`,
	].filter((part) => part !== undefined);
	return parts.length === 0 ? undefined : parts.join(', ');
}

/** What a change of caps now means, in one sentence (the TUI's status line, notices, the command line). */
export function describeCaps(name: string, caps: AccountCaps | undefined): string {
	const text = capsText(caps);
	return text === undefined
		? `No caps on ${name}: its windows are used to 100 %.`
		: `Capped ${name} at ${text}: at a cap it takes no new work and its sessions move, until that window resets.`;
}
