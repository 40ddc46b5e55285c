import type {AccountCaps} from '../model.ts';
import {cappedQuota} from '../quota/state.ts';
import {FIVE_HOUR_QUOTA, type SimCaps, type SimParams, WEEKLY_QUOTA} from './model.ts';

/**
What each simulated account is: whether it has a five-hour window, the user's caps, and the quota each window
lets it use (the window's quota cut to its cap; an account without a five-hour window is never limited by
one: Infinity).
*/
export type SimAccounts = {
	readonly hasFiveHour: Uint8Array;
	readonly limit5: Float64Array;
	readonly limitW: Float64Array;
	/** The caps as the strategies see them (undefined: none). */
	readonly caps: readonly (AccountCaps | undefined)[];
};

/** Whether account `index` has a five-hour window in the params' pool. */
export function hasFiveHourWindow(params: SimParams, index: number): boolean {
	switch (params.pool ?? 'standard') {
		case 'weekly-only': {
			return false;
		}

		case 'mixed': {
			// a2, a4, ... are weekly-only.
			return index % 2 === 0;
		}

		default: {
			return true;
		}
	}
}

export function simAccounts(params: SimParams): SimAccounts {
	const n = params.accounts;
	const hasFiveHour = new Uint8Array(n);
	const limit5 = new Float64Array(n);
	const limitW = new Float64Array(n);
	const caps: (AccountCaps | undefined)[] = [];
	for (let i = 0; i < n; i++) {
		const has = hasFiveHourWindow(params, i);
		const own = capsOf(params.accountCaps?.[i] ?? params.caps, has);
		hasFiveHour[i] = has ? 1 : 0;
		limit5[i] = has ? cappedQuota(FIVE_HOUR_QUOTA, own?.fiveHour ?? 100) : Number.POSITIVE_INFINITY;
		limitW[i] = cappedQuota(WEEKLY_QUOTA, own?.weekly ?? 100);
		caps.push(own);
	}

	return {hasFiveHour, limit5, limitW, caps};
}

/** Only the caps that limit something (below 100%, on a window the account has). */
function capsOf(caps: SimCaps | undefined, hasFiveHour: boolean): AccountCaps | undefined {
	const fiveHour =
		hasFiveHour && caps?.fiveHour !== undefined && caps.fiveHour < 100 ? caps.fiveHour : undefined;
	const weekly = caps?.weekly !== undefined && caps.weekly < 100 ? caps.weekly : undefined;
	if (fiveHour === undefined && weekly === undefined) {
		return undefined;
	}

	return {
		...(fiveHour === undefined ? {} : {fiveHour}),
		...(weekly === undefined ? {} : {weekly}),
	};
}
