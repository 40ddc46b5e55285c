import type {AccountSnapshot, AccountState, WindowSnapshot} from './contract.ts';
import type {BurnForecast} from './forecast.ts';
import type {PoolAccount} from './pool/pool.ts';
import {effectiveWindow} from './quota/state.ts';
import type {QuotaWindow} from './quota/types.ts';

/** Builds an account's row of the snapshot from the live pool (no tokens: only what is shown). */
export function accountSnapshot(
	account: PoolAccount,
	now: number,
	usableAt: number | undefined,
	usable: boolean,
	forecast: BurnForecast,
): AccountSnapshot {
	const {record, quota} = account;
	const window = (
		kind: 'fiveHour' | 'weekly',
		value: QuotaWindow | undefined,
	): WindowSnapshot | undefined => {
		if (value === undefined) {
			return undefined;
		}

		const current = effectiveWindow(value, now);
		return {
			usedPercent: current.usedPercent,
			resetAt: current.resetAt,
			lengthMinutes: current.lengthMinutes,
			// With a cap on the window, the forecast is of reaching the cap (the account stops there).
			exhaustsAt: forecast.exhaustsAt(record.id, kind, current, now, record.caps?.[kind]),
		};
	};

	return {
		id: record.id,
		name: record.name,
		email: record.email,
		plan: record.plan,
		marks: record.marks,
		...(record.caps === undefined ? {} : {caps: record.caps}),
		state: accountState(account, now, usableAt, usable),
		fiveHour: window('fiveHour', quota?.fiveHour),
		weekly: window('weekly', quota?.weekly),
		runningSessions: account.running,
		lastPickedAt: account.lastPickedAt,
		usageObservedAt: quota?.observedAt,
	};
}

/** The badge, most urgent first: what the user must act on, then what the user chose, then the quota. */
function accountState(
	account: PoolAccount,
	now: number,
	usableAt: number | undefined,
	usable: boolean,
): AccountState {
	const {record, health} = account;
	if (record.needsLogin !== undefined) {
		return {kind: 'needs-login', message: record.needsLogin.message};
	}

	if (health.status === 'needs-login') {
		return {kind: 'needs-login', message: health.message};
	}

	if (record.marks.evicted) {
		return {kind: 'evicted'};
	}

	if (health.status === 'cooling' && health.until > now && health.reason !== 'quota') {
		return {kind: 'cooling', until: health.until, reason: coolingReasons[health.reason]};
	}

	if (!usable) {
		const cap = cappedWindow(account, now);
		return cap === undefined
			? {kind: 'exhausted', until: usableAt}
			: {kind: 'exhausted', until: usableAt, cap};
	}

	if (record.marks.drained) {
		return {kind: 'drained'};
	}

	return record.marks.pinned ? {kind: 'pinned'} : {kind: 'active'};
}

/** The window the user's cap stops (used at or past its cap, below 100 %), if any. */
function cappedWindow(
	account: PoolAccount,
	now: number,
): {readonly window: 'five-hour' | 'weekly'; readonly percent: number} | undefined {
	const {quota, record} = account;
	for (const [window, value, cap] of [
		['five-hour', quota?.fiveHour, record.caps?.fiveHour],
		['weekly', quota?.weekly, record.caps?.weekly],
	] as const) {
		const used = value === undefined ? 0 : effectiveWindow(value, now).usedPercent;
		if (cap !== undefined && used >= cap && used < 100) {
			return {window, percent: cap};
		}
	}

	return undefined;
}

const coolingReasons = {
	quota: 'usage limit reached',
	'rate-limit': 'rate limited',
	server: 'upstream errors',
	connect: 'cannot connect',
	auth: 'refused its token',
} as const;
