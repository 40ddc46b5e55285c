import {resolveAccount} from './accounts/resolve.ts';
import type {ActionResult, CoreActions, NoticeLevel} from './contract.ts';
import {
	applySchedulerChange,
	checkSchedulerChange,
	describeSchedulerSettings,
} from './control/scheduler-settings.ts';
import {checkStrategyOptions} from './control/strategy-options.ts';
import type {Marks} from './model.ts';
import type {PoolProxy} from './proxy/index.ts';
import type {KickOutcome, Scheduler} from './scheduler/index.ts';
import type {Store} from './store/store.ts';
import type {AccountRecord} from './store/types.ts';
import {getStrategy} from './strategies/index.ts';

export type CoreActionDeps = {
	readonly store: Store;
	readonly proxy: PoolProxy;
	readonly scheduler: Scheduler;
	readonly sendKick: (accountId: string) => Promise<KickOutcome>;
	readonly notify: (level: NoticeLevel, message: string) => void;
	/** Publishes a fresh snapshot at once, so whoever acted sees the result. */
	readonly flush: () => void;
};

/**
The user's controls over a live pool. Marks are saved in the store (they survive restarts) and applied to the
pool at once: an evicted account's sessions move on their next request. Every action resolves with what
happened, and says it as a notice too.
*/
export function createCoreActions({
	store,
	proxy,
	scheduler,
	sendKick,
	notify,
	flush,
}: CoreActionDeps): CoreActions {
	const done = (result: ActionResult): ActionResult => {
		notify(result.ok ? 'info' : 'error', result.message);
		flush();
		return result;
	};

	const withAccount = async (
		name: string,
		act: (account: AccountRecord) => ActionResult | Promise<ActionResult>,
	): Promise<ActionResult> => {
		try {
			return done(await act(resolveAccount(name, store.listAccounts())));
		} catch (error) {
			return done({ok: false, message: error instanceof Error ? error.message : String(error)});
		}
	};

	const mark = (name: string, change: Partial<Marks>, describe: (account: AccountRecord) => string) =>
		withAccount(name, (account) => {
			store.setMarks(account.id, {...account.marks, ...change});
			proxy.pool.setRecords(store.listAccounts());
			scheduler.replan();
			return {ok: true, message: describe(account)};
		});

	return {
		pin: async (name) =>
			mark(
				name,
				{pinned: true, drained: false, evicted: false},
				(a) => `Pinned ${a.name}: new sessions go to it while it is usable.`,
			),
		unpin: async (name) => mark(name, {pinned: false}, (a) => `Unpinned ${a.name}.`),
		drain: async (name) =>
			mark(
				name,
				{drained: true, pinned: false},
				(a) => `Draining ${a.name}: no new sessions; running ones finish there.`,
			),
		evict: async (name) =>
			mark(
				name,
				{evicted: true, pinned: false},
				(a) => `Evicted ${a.name}: no traffic at all; its sessions move on their next request.`,
			),
		restore: async (name) =>
			mark(
				name,
				{pinned: false, drained: false, evicted: false},
				(a) => `Restored ${a.name}: it takes traffic as usual.`,
			),
		async setStrategy(name, options) {
			try {
				const strategy = getStrategy(name);
				const checked = options === undefined ? undefined : checkStrategyOptions(options);
				store.setSettings({
					strategy: strategy.name,
					...(checked && {strategyOptions: {...store.getSettings().strategyOptions, ...checked}}),
				});
				return done({ok: true, message: `Strategy: ${strategy.name}. ${strategy.description}`});
			} catch (error) {
				return done({ok: false, message: (error as Error).message});
			}
		},
		async setScheduler(change) {
			try {
				const accounts = store.listAccounts();
				const next = applySchedulerChange(
					store.getSettings().scheduler,
					checkSchedulerChange(change),
					accounts,
				);
				// The core's store listener hands the new settings to the running scheduler, which re-plans at once.
				store.setSettings({scheduler: next});
				return done({ok: true, message: `${describeSchedulerSettings(next, accounts)}.`});
			} catch (error) {
				return done({ok: false, message: (error as Error).message});
			}
		},
		kick: async (name) =>
			withAccount(name, async (account) => {
				if (account.marks.evicted || account.needsLogin !== undefined) {
					return {
						ok: false,
						message: `Not kicking ${account.name}: it is ${account.marks.evicted ? 'evicted' : 'waiting for a new login'}.`,
					};
				}

				const outcome = await sendKick(account.id);
				return {ok: outcome.ok, message: `Kicked ${account.name}: ${outcome.detail}`};
			}),
		async refreshUsage(name) {
			try {
				const targets =
					name === undefined ? store.listAccounts() : [resolveAccount(name, store.listAccounts())];
				const results = await Promise.all(targets.map(async (account) => proxy.pollUsage(account.id)));
				const read = results.filter((quota) => quota !== undefined).length;
				return done({
					ok: read === targets.length,
					message:
						read === targets.length
							? `Usage refreshed for ${targets.length === 1 ? targets[0]!.name : `${read} accounts`}.`
							: `Usage refreshed for ${read} of ${targets.length} accounts; the others did not answer (see the notices).`,
				});
			} catch (error) {
				return done({ok: false, message: (error as Error).message});
			}
		},
	};
}
