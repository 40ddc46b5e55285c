import type {Clock} from '../clock.ts';
import {effectiveWindow, newerWindow, startedBy, toAccountView} from '../quota/index.ts';
import type {AccountQuota, QuotaWindow} from '../quota/types.ts';
import type {AccountRecord} from '../store/types.ts';
import type {AccountView} from '../strategies/types.ts';
import {backoffMs, type CoolingReason, type Health, healthAllows, healthy} from './health.ts';

/** One account as the live pool knows it: the saved record plus what traffic has taught us. */
export type PoolAccount = {
	readonly record: AccountRecord;
	readonly quota: AccountQuota | undefined;
	readonly health: Health;
	/** Sessions recently active on this account (set by the session registry). */
	readonly running: number;
	readonly lastPickedAt: number | undefined;
	/** Errors in a row (drives the backoff); reset by a success. */
	readonly failures: number;
};

/**
The live state of every account: records from the store, quota from headers, events and polls, health,
running sessions and the last pick. Entries are replaced, never mutated, so a snapshot can hold them.
*/
export type Pool = {
	/** Adds, updates and removes accounts to match the store (marks, tokens, needsLogin). */
	setRecords: (records: readonly AccountRecord[]) => void;
	get: (id: string) => PoolAccount | undefined;
	list: () => readonly PoolAccount[];
	/** What the strategies see. */
	views: () => AccountView[];
	observeQuota: (id: string, quota: AccountQuota) => void;
	/**
	A request that used tokens, started at `startAt`, was served: its idle windows are running from then on,
	though its usage reading cannot tell them from idle ones yet (quota/started.ts).
	*/
	observeUse: (id: string, startAt: number) => void;
	markCooling: (id: string, until: number, reason: CoolingReason, options?: {untilPoll?: boolean}) => void;
	/** A usage poll answered for the account: a quota rest marked `untilPoll` ends (its windows now tell). */
	settleQuotaRest: (id: string) => void;
	/** One more error in a row: cools the account for an exponential backoff; returns the new health. */
	markFailure: (id: string, reason: CoolingReason) => Health;
	markNeedsLogin: (id: string, message: string) => void;
	/** A request succeeded: errors in a row reset, and a backoff (not a quota rest) ends. */
	markSuccess: (id: string) => void;
	markPicked: (id: string) => void;
	setRunning: (counts: ReadonlyMap<string, number>) => void;
	/** Neither its health, its login nor its quota stops traffic now (marks are the selection layer's). */
	isUsable: (id: string) => boolean;
	/**
	When the account can take traffic again: now if usable, a future time if it rests, undefined if only the
	user can bring it back (needs login, evicted, unknown account).
	*/
	usableAt: (id: string) => number | undefined;
	/** The earliest `usableAt` over all accounts. */
	earliestUsableAt: () => number | undefined;
	/** Called after every change. Returns the unsubscribe function. */
	onChange: (listener: () => void) => () => void;
};

/** When a window reads 100% without a reset time, assume this rest before trying again. */
const UNKNOWN_RESET_MS = 60 * 60_000;

export function createPool(options: {clock: Clock; records?: readonly AccountRecord[]}): Pool {
	const {clock} = options;
	const accounts = new Map<string, PoolAccount>();
	const listeners = new Set<() => void>();
	const changed = () => {
		for (const listener of listeners) {
			listener();
		}
	};

	const update = (id: string, patch: (account: PoolAccount) => PoolAccount) => {
		const account = accounts.get(id);
		if (account !== undefined) {
			accounts.set(id, patch(account));
			changed();
		}
	};

	/** Until when a window stops the account: at 100%, or at the user's cap on it (`limit`), until it resets. */
	const windowBlockedUntil = (
		window: QuotaWindow | undefined,
		observedAt: number,
		now: number,
		limit = 100,
	) => {
		if (window === undefined || effectiveWindow(window, now).usedPercent < Math.min(100, limit)) {
			return undefined;
		}

		const until = window.resetAt ?? observedAt + UNKNOWN_RESET_MS;
		return until > now ? until : undefined;
	};

	const usableAt = (id: string, now = clock.now()): number | undefined => {
		const account = accounts.get(id);
		if (account === undefined || account.record.needsLogin !== undefined || account.record.marks.evicted) {
			return undefined;
		}

		const {health, quota} = account;
		if (health.status === 'needs-login') {
			return undefined;
		}

		const candidates = [now];
		if (!healthAllows(health, now) && health.status === 'cooling') {
			candidates.push(health.until);
		}

		if (quota !== undefined) {
			const caps = account.record.caps;
			for (const [window, limit] of [
				[quota.fiveHour, caps?.fiveHour],
				[quota.weekly, caps?.weekly],
			] as const) {
				const until = windowBlockedUntil(window, quota.observedAt, now, limit);
				if (until !== undefined) {
					candidates.push(until);
				}
			}
		}

		return Math.max(...candidates);
	};

	const pool: Pool = {
		setRecords(records) {
			const ids = new Set(records.map((record) => record.id));
			for (const id of accounts.keys()) {
				if (!ids.has(id)) {
					accounts.delete(id);
				}
			}

			for (const record of records) {
				const existing = accounts.get(record.id);
				let health = existing?.health ?? healthy;
				// A fresh login clears the pool's own needs-login verdict.
				if (
					health.status === 'needs-login' &&
					record.needsLogin === undefined &&
					existing?.record.needsLogin !== undefined
				) {
					health = healthy;
				}

				accounts.set(record.id, {
					record,
					quota: existing?.quota,
					health,
					running: existing?.running ?? 0,
					lastPickedAt: existing?.lastPickedAt,
					failures: existing?.failures ?? 0,
				});
			}

			changed();
		},
		get: (id) => accounts.get(id),
		list: () => [...accounts.values()],
		views() {
			const now = clock.now();
			return [...accounts.values()].map((account) =>
				toAccountView(
					{
						id: account.record.id,
						plan: account.record.plan,
						quota: account.quota,
						running: account.running,
						lastPickedAt: account.lastPickedAt,
						marks: account.record.marks,
						coolingUntil:
							account.health.status === 'cooling' && account.health.until > now
								? account.health.until
								: undefined,
						needsLogin: account.record.needsLogin !== undefined || account.health.status === 'needs-login',
						caps: account.record.caps,
					},
					now,
				),
			);
		},
		observeQuota(id, quota) {
			update(id, (account) => {
				const previous = account.quota;
				/*
				A report with a weekly window and no five-hour one says the account has none now (weekly-only
				plans; the months the backend dropped the 5-hour window): it vanishes here, and comes back with the
				first report that has it. A report with only a five-hour window keeps the weekly one we knew.
				*/
				const at = quota.observedAt;
				const merged: AccountQuota = {
					fiveHour: quota.fiveHour
						? newerWindow(previous?.fiveHour, quota.fiveHour, at)
						: quota.weekly === undefined
							? previous?.fiveHour
							: undefined,
					weekly: quota.weekly ? newerWindow(previous?.weekly, quota.weekly, at) : previous?.weekly,
					observedAt: at,
				};
				return {...account, quota: merged};
			});
		},
		observeUse(id, startAt) {
			const quota = accounts.get(id)?.quota;
			const started = quota && startedBy(quota, startAt);
			if (
				started !== undefined &&
				(started.fiveHour !== quota?.fiveHour || started.weekly !== quota?.weekly)
			) {
				update(id, (account) => ({...account, quota: started}));
			}
		},
		markCooling(id, until, reason, options) {
			update(id, (account) =>
				account.health.status === 'needs-login'
					? account
					: {
							...account,
							health: {status: 'cooling', until, reason, ...(options?.untilPoll ? {untilPoll: true} : {})},
						},
			);
		},
		settleQuotaRest(id) {
			const health = accounts.get(id)?.health;
			if (health?.status === 'cooling' && health.untilPoll === true) {
				update(id, (account) => ({...account, health: healthy}));
			}
		},
		markFailure(id, reason) {
			update(id, (account) => {
				if (account.health.status === 'needs-login') {
					return account;
				}

				const failures = account.failures + 1;
				return {
					...account,
					failures,
					health: {status: 'cooling', until: clock.now() + backoffMs(failures), reason},
				};
			});
			return accounts.get(id)?.health ?? healthy;
		},
		markNeedsLogin(id, message) {
			update(id, (account) => ({...account, health: {status: 'needs-login', message}}));
		},
		markSuccess(id) {
			const account = accounts.get(id);
			if (account === undefined) {
				return;
			}

			const resting = account.health.status === 'cooling' && account.health.reason === 'quota';
			if (account.failures === 0 && (account.health.status === 'ok' || resting)) {
				return;
			}

			update(id, (current) => ({...current, failures: 0, health: resting ? current.health : healthy}));
		},
		markPicked(id) {
			update(id, (account) => ({...account, lastPickedAt: clock.now()}));
		},
		setRunning(counts) {
			let any = false;
			for (const [id, account] of accounts) {
				const running = counts.get(id) ?? 0;
				if (running !== account.running) {
					accounts.set(id, {...account, running});
					any = true;
				}
			}

			if (any) {
				changed();
			}
		},
		isUsable(id) {
			const now = clock.now();
			return usableAt(id, now) === now;
		},
		usableAt: (id) => usableAt(id),
		earliestUsableAt() {
			const now = clock.now();
			let earliest: number | undefined;
			for (const id of accounts.keys()) {
				const at = usableAt(id, now);
				if (at !== undefined && (earliest === undefined || at < earliest)) {
					earliest = at;
				}
			}

			return earliest;
		},
		onChange(listener) {
			listeners.add(listener);
			return () => listeners.delete(listener);
		},
	};

	if (options.records !== undefined) {
		pool.setRecords(options.records);
	}

	return pool;
}
