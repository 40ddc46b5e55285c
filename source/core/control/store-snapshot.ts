import type {AccountSnapshot, AccountState, CoreSnapshot} from '../contract.ts';
import type {Store} from '../store/store.ts';
import type {AccountRecord} from '../store/types.ts';
import {strategies} from '../strategies/index.ts';

/**
The pool as the store alone knows it (the store-backed core's snapshot, when no daemon runs): accounts with their marks
and login problems, the strategy and the scheduler settings. Usage, sessions, requests and the kick plan exist
only in a running core, so they are empty here.
*/
export function snapshotFromStore(store: Store, now: number): CoreSnapshot {
	const settings = store.getSettings();
	return {
		mode: 'store',
		now,
		clockSpeed: 1,
		proxyUrl: undefined,
		strategy: settings.strategy,
		strategies: Object.values(strategies).map(({name, description}) => ({name, description})),
		accounts: store.listAccounts().map((record) => accountFromRecord(record)),
		sessions: [],
		requests: [],
		notices: [],
		scheduler: {
			enabled: settings.scheduler.enabled,
			dryRun: settings.scheduler.dryRun,
			policy: settings.scheduler.policy,
			accounts: settings.scheduler.accounts,
			quietHours: settings.scheduler.quietHours,
			nextKicks: [],
		},
		totals: {requests: 0, inputTokens: 0, outputTokens: 0, sessions: 0, moves: 0, failovers: 0},
		inFlight: 0,
		storeDamage: store.damage(),
	};
}

function accountFromRecord(record: AccountRecord): AccountSnapshot {
	return {
		id: record.id,
		name: record.name,
		email: record.email,
		plan: record.plan,
		marks: record.marks,
		...(record.caps === undefined ? {} : {caps: record.caps}),
		state: stateFromRecord(record),
		fiveHour: undefined,
		weekly: undefined,
		runningSessions: 0,
		lastPickedAt: undefined,
		usageObservedAt: undefined,
	};
}

/** The badge a core would show before it has seen any usage: login problems first, then the user's marks. */
function stateFromRecord(record: AccountRecord): AccountState {
	if (record.needsLogin !== undefined) {
		return {kind: 'needs-login', message: record.needsLogin.message};
	}

	if (record.marks.evicted) {
		return {kind: 'evicted'};
	}

	if (record.marks.drained) {
		return {kind: 'drained'};
	}

	return record.marks.pinned ? {kind: 'pinned'} : {kind: 'active'};
}
