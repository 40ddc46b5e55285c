import type {AccountView, PickContext, Strategy} from './types.ts';
import {effectiveAccountView, isUsable} from './views.ts';

export {isUsable} from './views.ts';

/**
The one selection layer in front of every strategy: it applies the user's marks so no strategy has to.
- evicted accounts are never offered;
- drained accounts are never offered to any pick (their running sessions stay through affinity, which is not
  a pick);
- for a new session, a usable pinned account takes it without asking the strategy (several usable pinned
  accounts: the strategy chooses among them only);
- accounts that need login or are cooling are shown to the strategy (they are part of the pool's picture)
  but are never usable;
- every account is brought to `context.now` first: a window whose reset passed counts as idle at 0%.
Returns the chosen id, or undefined ("none"). For a new session a strategy with a fallback may return an
account that is not usable when none is (the session starts paused there; callers check `isUsable`); for a
move or a resume the answer is always a usable account or undefined.
*/
export function select(
	strategy: Strategy,
	accounts: readonly AccountView[],
	context: PickContext,
): string | undefined {
	const offered = accounts
		.filter((account) => !account.marks.evicted && !account.marks.drained)
		.map((account) => effectiveAccountView(account, context.now));

	if (context.kind === 'new') {
		const pinned = offered.filter((account) => account.marks.pinned && isUsable(account, context.now));
		if (pinned.length === 1) {
			return pinned[0]?.id;
		}

		if (pinned.length > 1) {
			return checked(strategy.pick(pinned, context), pinned, context);
		}
	}

	return checked(strategy.pick(offered, context), offered, context);
}

/** Guards the contract: only offered ids come back, and moves/resumes only to usable accounts. */
function checked(
	id: string | undefined,
	offered: readonly AccountView[],
	context: PickContext,
): string | undefined {
	const chosen = offered.find((account) => account.id === id);
	if (chosen === undefined) {
		return undefined;
	}

	if (context.kind !== 'new' && !isUsable(chosen, context.now)) {
		return undefined;
	}

	return chosen.id;
}
