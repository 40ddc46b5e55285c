import type {AccountCaps} from '../core/contract.ts';

/*
The caps prompt's text: `5-hour/weekly` percents as the user types them in the control center. `90/80` caps
both windows, `90` caps both at 90, `/80` only the weekly one, `90/` only the 5-hour one; empty or `off` takes
the caps off. Pure: the prompt shows it, the key handler parses it.
*/

/** The caps as the prompt writes them: `90/80`, `90/`, `/80`; empty when there are none. */
export function capsInputText(caps: AccountCaps | undefined): string {
	if (caps === undefined || (caps.fiveHour === undefined && caps.weekly === undefined)) {
		return '';
	}

	return `${caps.fiveHour ?? ''}/${caps.weekly ?? ''}`;
}

/** The caps typed, undefined for off, or an error that says what to type. */
export function parseCapsInput(text: string): {caps: AccountCaps | undefined} | {error: string} {
	const trimmed = text.trim().toLowerCase();
	if (trimmed === '' || trimmed === 'off') {
		return {caps: undefined};
	}

	const parts = trimmed.split('/');
	if (parts.length > 2) {
		return {error: `"${text}" is not a cap: type 5-hour/weekly percents, e.g. 90/80, 90, /80, or off.`};
	}

	const [fiveText = '', weeklyText = parts.length === 1 ? fiveText : ''] = parts;
	const values: (number | undefined)[] = [];
	for (const part of [fiveText, weeklyText]) {
		if (part.trim() === '') {
			values.push(undefined);
			continue;
		}

		const value = Number(part);
		if (!Number.isFinite(value) || value < 1 || value > 100) {
			return {error: `"${part}" is not a percent from 1 to 100.`};
		}

		values.push(value);
	}

	const [fiveHour, weekly] = values;
	if (fiveHour === undefined && weekly === undefined) {
		return {caps: undefined};
	}

	return {caps: {...(fiveHour === undefined ? {} : {fiveHour}), ...(weekly === undefined ? {} : {weekly})}};
}

/** The caps in a row badge: `cap90/80`, `cap–/80`. */
export function capsBadge(caps: AccountCaps | undefined): string | undefined {
	if (caps === undefined || (caps.fiveHour === undefined && caps.weekly === undefined)) {
		return undefined;
	}

	return `cap${caps.fiveHour ?? '–'}/${caps.weekly ?? '–'}`;
}
