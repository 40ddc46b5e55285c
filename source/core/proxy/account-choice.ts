import type {Clock} from '../clock.ts';
import type {Pool} from '../pool/pool.ts';
import type {Random} from '../random.ts';
import {hasCompaction} from '../sessions/strip.ts';
import type {PickKind} from '../strategies/types.ts';
import type {Selector, StrategyOptionsSource} from './selection.ts';

/**
Which account serves a session's next request, the same for every transport (HTTP POSTs and WebSocket
frames): the session stays on its account unless that account cannot keep it, else the strategy picks.
*/
export type AccountChoice = {
	/** Why the session's account cannot keep it, in words (for the move record), or undefined if it can. */
	readonly reasonToLeave: (accountId: string, body: Readonly<Record<string, unknown>>) => string | undefined;
	/**
	The account for the next attempt: `home` while it can keep the session, else the strategy's pick among the
	accounts not `tried` yet (marked as picked), or undefined when none is usable.
	*/
	readonly choose: (
		home: string | undefined,
		tried: ReadonlySet<string>,
		body: Readonly<Record<string, unknown>>,
	) => string | undefined;
	/** Resolves when the pool changes, after `ms` (wall ms), or when `signal` aborts, whichever comes first. */
	readonly waitForChange: (ms: number, signal: AbortSignal) => Promise<void>;
};

export function createAccountChoice(options: {
	readonly pool: Pool;
	readonly select: Selector;
	readonly strategyOptions?: StrategyOptionsSource | undefined;
	readonly clock: Clock;
	readonly random: Random;
}): AccountChoice {
	const {pool, select, clock, random} = options;

	const reasonToLeave: AccountChoice['reasonToLeave'] = (accountId, body) => {
		const account = pool.get(accountId);
		if (account === undefined) {
			return 'its account was removed';
		}

		if (account.record.marks.evicted) {
			return 'its account was evicted';
		}

		if (!pool.isUsable(accountId)) {
			const {health} = account;
			if (health.status === 'needs-login' || account.record.needsLogin !== undefined) {
				return 'its account needs a new login';
			}

			return health.status === 'cooling' && health.until > clock.now() && health.reason !== 'quota'
				? `its account is cooling down (${health.reason})`
				: 'its account reached its usage limit';
		}

		// A compacted session stays while its account is usable: its compaction item cannot move (see sessions/strip.ts).
		if (account.record.marks.drained && !hasCompaction(body)) {
			return 'its account is drained';
		}

		return undefined;
	};

	const choose: AccountChoice['choose'] = (home, tried, body) => {
		if (home !== undefined && !tried.has(home) && reasonToLeave(home, body) === undefined) {
			return home;
		}

		const kind: PickKind = home === undefined ? 'new' : 'move';
		const offered = pool.views().filter((view) => !tried.has(view.id));
		const picked = select(offered, {
			now: clock.now(),
			kind,
			random,
			previous: home,
			options: options.strategyOptions?.(),
		});
		// For a new session a strategy may name an account that is not usable (the simulator pauses there): here that means none.
		if (picked === undefined || !pool.isUsable(picked)) {
			return undefined;
		}

		pool.markPicked(picked);
		return picked;
	};

	const waitForChange: AccountChoice['waitForChange'] = (ms, signal) =>
		new Promise<void>((resolve) => {
			const done = () => {
				clearTimeout(timer);
				unsubscribe();
				signal.removeEventListener('abort', done);
				resolve();
			};

			const timer = setTimeout(done, Math.max(1, ms));
			const unsubscribe = pool.onChange(done);
			signal.addEventListener('abort', done, {once: true});
		});

	return {reasonToLeave, choose, waitForChange};
}
