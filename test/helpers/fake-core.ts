import type {
	AccountSnapshot,
	ActionResult,
	Core,
	CoreActions,
	CoreEvents,
	CoreSnapshot,
	RequestLogEntry,
	SessionSnapshot,
	WindowSnapshot,
} from '../../source/core/contract.ts';
import {noMarks} from '../../source/core/model.ts';

/** A fixed moment for fixtures: 2026-11-22 12:00:00 UTC. */
export const T0 = Date.UTC(2026, 10, 22, 12, 0, 0);
export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;

export function makeWindow(overrides: Partial<WindowSnapshot> = {}): WindowSnapshot {
	return {usedPercent: 0, resetAt: undefined, lengthMinutes: 300, exhaustsAt: undefined, ...overrides};
}

export function makeAccount(overrides: Partial<AccountSnapshot> & {readonly id: string}): AccountSnapshot {
	return {
		name: overrides.id,
		email: `${overrides.id}@example.com`,
		plan: 'plus',
		marks: noMarks,
		state: {kind: 'active'},
		fiveHour: makeWindow(),
		weekly: makeWindow({lengthMinutes: 10_080}),
		runningSessions: 0,
		lastPickedAt: undefined,
		usageObservedAt: undefined,
		...overrides,
	};
}

export function makeSession(overrides: Partial<SessionSnapshot> & {readonly id: string}): SessionSnapshot {
	return {
		client: 'codex_exec',
		accountId: 'a',
		turns: 1,
		inputTokens: 1000,
		cachedTokens: 0,
		outputTokens: 100,
		moves: 0,
		lastActivityAt: T0,
		active: false,
		transport: 'http',
		...overrides,
	};
}

export function makeRequest(overrides: Partial<RequestLogEntry> & {readonly id: string}): RequestLogEntry {
	return {
		at: T0,
		sessionId: undefined,
		accountId: undefined,
		path: '/backend-api/codex/responses',
		model: 'gpt-5-codex',
		status: 200,
		ttfbMs: 300,
		durationMs: 2000,
		inputTokens: 1000,
		outputTokens: 100,
		failedOver: [],
		...overrides,
	};
}

export function makeSnapshot(overrides: Partial<CoreSnapshot> = {}): CoreSnapshot {
	return {
		mode: 'embedded',
		now: T0,
		proxyUrl: 'http://127.0.0.1:4455',
		strategy: 'least-used',
		strategies: [
			{name: 'least-used', description: 'the account with the most room left'},
			{name: 'round-robin', description: 'each new session on the next account'},
			{name: 'sequential', description: 'fill one account, then the next'},
		],
		accounts: [],
		sessions: [],
		requests: [],
		notices: [],
		scheduler: {enabled: true, dryRun: false, policy: 'stagger', quietHours: undefined, nextKicks: []},
		totals: {requests: 0, inputTokens: 0, outputTokens: 0, sessions: 0, moves: 0, failovers: 0},
		inFlight: 0,
		...overrides,
	};
}

const actionNames = [
	'pin',
	'unpin',
	'drain',
	'evict',
	'restore',
	'setCaps',
	'setStrategy',
	'kick',
	'refreshUsage',
] as const satisfies readonly (keyof CoreActions)[];

export type ActionCall = {readonly action: keyof CoreActions; readonly args: readonly unknown[]};

/** A core the views cannot tell from the real one: it records every action and publishes what it is told. */
export type FakeCore = Core & {
	readonly calls: ActionCall[];
	/** Replaces the snapshot (a new object, as the real core does) and notifies subscribers. */
	readonly update: (change: Partial<CoreSnapshot> | ((snapshot: CoreSnapshot) => CoreSnapshot)) => void;
	/** What each action resolves with (default `{ok: true, message: '<action> done'}`). */
	readonly results: Partial<Record<keyof CoreActions, ActionResult>>;
	readonly subscriberCount: () => number;
	readonly emit: <E extends keyof CoreEvents>(event: E, ...args: CoreEvents[E]) => void;
	stopped: boolean;
};

export function createFakeCore(initial: CoreSnapshot = makeSnapshot()): FakeCore {
	let snapshot = initial;
	const listeners = new Set<() => void>();
	const eventListeners = new Map<string, Set<(...args: unknown[]) => void>>();
	const calls: ActionCall[] = [];
	const results: Partial<Record<keyof CoreActions, ActionResult>> = {};

	const action =
		(name: keyof CoreActions) =>
		async (...args: unknown[]): Promise<ActionResult> => {
			calls.push({action: name, args});
			return results[name] ?? {ok: true, message: `${name} ${args.join(' ')} done`.replace('  ', ' ')};
		};
	const actions = Object.fromEntries(
		actionNames.map((name) => [name, action(name)]),
	) as unknown as CoreActions;

	const core: FakeCore = {
		...actions,
		calls,
		results,
		stopped: false,
		subscribe(listener) {
			listeners.add(listener);
			return () => {
				listeners.delete(listener);
			};
		},
		getSnapshot: () => snapshot,
		on(event, listener) {
			const set = eventListeners.get(event) ?? new Set();
			set.add(listener as unknown as (...args: unknown[]) => void);
			eventListeners.set(event, set);
			return () => {
				set.delete(listener as unknown as (...args: unknown[]) => void);
			};
		},
		emit(event, ...args) {
			for (const listener of eventListeners.get(event) ?? []) {
				listener(...args);
			}
		},
		update(change) {
			snapshot = typeof change === 'function' ? change(snapshot) : {...snapshot, ...change};
			for (const listener of listeners) {
				listener();
			}
		},
		subscriberCount: () => listeners.size,
		async stop() {
			core.stopped = true;
		},
	};
	return core;
}
