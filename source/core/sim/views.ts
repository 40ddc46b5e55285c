import type {AccountCaps} from '../model.ts';
import {noMarks} from '../model.ts';
import {usedPercentOf} from '../quota/state.ts';
import type {AccountView} from '../strategies/types.ts';
import type {SimAccounts} from './accounts.ts';
import {FIVE_HOUR_HOURS, FIVE_HOUR_QUOTA, MS_PER_HOUR, WEEKLY_HOURS, WEEKLY_QUOTA} from './model.ts';

const F = FIVE_HOUR_QUOTA;
const W = WEEKLY_QUOTA;
const MS = MS_PER_HOUR;
// Snaps to the window's limit (100%, or its cap) when less than the model's 1e-9 is left below it, so
// strategies' `usable` agrees with the model's.
const percentOf = usedPercentOf;

type MutableWindow = {usedPercent: number; resetAt: number | undefined; lengthMs: number};

/** The simulator's reusable view of one account: mutated in place before each pick, never allocated per event. */
export type MutableView = {
	id: string;
	plan: string;
	/** Undefined for an account without a five-hour window. */
	fiveHour: MutableWindow | undefined;
	weekly: MutableWindow;
	running: number;
	lastPickedAt: number | undefined;
	marks: typeof noMarks;
	coolingUntil: undefined;
	needsLogin: false;
	caps?: AccountCaps;
};

/** Account ids as the simulator names them: `a1`, `a2`, ... */
export function accountId(index: number): string {
	return `a${index + 1}`;
}

/** The views of `count` accounts; with `accounts`, their windows and caps (else the model's standard pool). */
export function createViews(count: number, accounts?: SimAccounts): MutableView[] {
	return Array.from({length: count}, (_, index) => {
		const caps = accounts?.caps[index];
		return {
			id: accountId(index),
			plan: 'plus',
			fiveHour:
				accounts === undefined || accounts.hasFiveHour[index] === 1
					? {usedPercent: 0, resetAt: undefined, lengthMs: FIVE_HOUR_HOURS * MS_PER_HOUR}
					: undefined,
			weekly: {usedPercent: 0, resetAt: undefined, lengthMs: WEEKLY_HOURS * MS_PER_HOUR},
			running: 0,
			lastPickedAt: undefined,
			marks: noMarks,
			coolingUntil: undefined,
			needsLogin: false,
			...(caps === undefined ? {} : {caps}),
		};
	});
}

/** The account state the engine keeps in typed arrays (quota units, hours; an idle window has reset Infinity). */
export type AccountArrays = {
	readonly used5: Float64Array;
	readonly usedW: Float64Array;
	readonly reset5: Float64Array;
	readonly resetW: Float64Array;
	readonly running: Int32Array;
	readonly lastPicked: Float64Array;
};

/** Refresh one view from the engine's state (times become ms since the run's epoch). */
export function refreshView(view: MutableView, state: AccountArrays, index: number): AccountView {
	const resetW = state.resetW[index]!;
	const picked = state.lastPicked[index]!;
	const caps = view.caps;
	const fiveHour = view.fiveHour;
	if (fiveHour !== undefined) {
		const reset5 = state.reset5[index]!;
		fiveHour.usedPercent = percentOf(state.used5[index]!, F, caps?.fiveHour);
		fiveHour.resetAt = reset5 === Number.POSITIVE_INFINITY ? undefined : reset5 * MS;
	}

	view.weekly.usedPercent = percentOf(state.usedW[index]!, W, caps?.weekly);
	view.weekly.resetAt = resetW === Number.POSITIVE_INFINITY ? undefined : resetW * MS;
	view.running = state.running[index]!;
	view.lastPickedAt = Number.isNaN(picked) ? undefined : picked * MS;
	return view as AccountView;
}
