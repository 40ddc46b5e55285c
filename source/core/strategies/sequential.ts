import type {AccountView, Strategy} from './types.ts';
import {candidatesFor, compareIds, usedPercentNow} from './views.ts';

/** Default switch threshold: move on once the 5-hour window is 95% used. */
export const DEFAULT_SEQUENTIAL_THRESHOLD = 95;

/**
`sequential` (drain-first as users ask for it): use the first account of the user's order
(`options.order`; accounts not in it follow, in id order) that is usable and below the threshold
(`options.threshold`, default 95% of the 5-hour window; of the weekly one for an account without a 5-hour
window), so an earlier account is used again as soon as it
recovers. If every usable account is past the threshold, the first usable one in order (the threshold is a
preference, not a reason to refuse work: unlike a cap, which forbids). With none usable, a new session takes the first account in order
(it starts paused there).
*/
export const sequential: Strategy = {
	name: 'sequential',
	description: 'Drain accounts in your order, moving on at a 5-hour threshold (default 95%)',
	pick(accounts, context) {
		const threshold = context.options?.threshold ?? DEFAULT_SEQUENTIAL_THRESHOLD;
		const ordered = inUserOrder(candidatesFor(accounts, context, true), context.options?.order ?? []);
		const fresh = ordered.find(
			(account) => usedPercentNow(account.fiveHour ?? account.weekly, context.now) < threshold,
		);
		return (fresh ?? ordered[0])?.id;
	},
};

/** The accounts in the user's order, then the rest in id order. */
export function inUserOrder(accounts: readonly AccountView[], order: readonly string[]): AccountView[] {
	const position = new Map<string, number>();
	order.forEach((id, index) => {
		if (!position.has(id)) {
			position.set(id, index);
		}
	});
	return [...accounts].sort((a, b) => {
		const pa = position.get(a.id) ?? Number.POSITIVE_INFINITY;
		const pb = position.get(b.id) ?? Number.POSITIVE_INFINITY;
		return pa === pb ? compareIds(a.id, b.id) : pa - pb;
	});
}
