import type {AccountView, Strategy} from './types.ts';
import {candidatesFor, effectiveWindowView, uniformPick, usedPercentNow} from './views.ts';

/**
pi-multicodex's rule, named `reset-soonest` here: prefer untouched accounts (both windows at 0%), soonest
weekly reset first; otherwise the soonest weekly reset (the 5-hour window is ignored); otherwise (no reset
known, or several equally soon) random. Its "exhausted until reset" marks are what `isUsable` already
expresses. With none usable, a new session takes the same rule over all accounts (it starts paused).
*/
export const resetSoonest: Strategy = {
	name: 'reset-soonest',
	description: 'pi-multicodex: untouched accounts first, then the soonest weekly reset',
	pick(accounts, context) {
		const {now} = context;
		const pool = candidatesFor(accounts, context, true);
		const untouched = pool.filter((account) => isUntouched(account, now));
		const group = untouched.length > 0 ? untouched : pool;
		const resetOf = (account: AccountView) =>
			effectiveWindowView(account.weekly, now).resetAt ?? Number.POSITIVE_INFINITY;
		const soonest = Math.min(...group.map(resetOf));
		return uniformPick(
			group.filter((account) => resetOf(account) === soonest),
			context.random,
		)?.id;
	},
};

function isUntouched(account: AccountView, now: number): boolean {
	return (
		usedPercentNow(account.fiveHour, now) === 0 && effectiveWindowView(account.weekly, now).usedPercent === 0
	);
}
