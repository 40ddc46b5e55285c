import {AccountNameError, resolveAccount} from './accounts/resolve.ts';
import type {ActionResult, CoreActions, NoticeLevel} from './contract.ts';
import {checkCaps, describeCaps} from './control/caps.ts';
import {
	applySchedulerChange,
	checkSchedulerChange,
	describeSchedulerSettings,
} from './control/scheduler-settings.ts';
import {checkStrategyOptions, describeStrategyOptions} from './control/strategy-options.ts';
import type {Marks} from './model.ts';
import type {PoolProxy} from './proxy/index.ts';
import type {KickOutcome, Scheduler} from './scheduler/index.ts';
import type {Store} from './store/store.ts';
import type {AccountRecord} from './store/types.ts';
import {getStrategy} from './strategies/index.ts';

export type CoreActionDeps = {
	readonly store: Store;
	readonly notify: (level: NoticeLevel, message: string) => void;
	/** Publishes a fresh snapshot at once, so whoever acted sees the result. */
	readonly flush: () => void;
	/**
	The running pool, when this core runs one (the embedded core; a daemon is one): marks reach it at once, and
	kicks and usage reads need it. Without it (the store-backed core) every change is saved in the store and
	applies when the pool starts.
	*/
	readonly proxy?: Pick<PoolProxy, 'pool' | 'pollUsage'> | undefined;
	readonly scheduler?: Pick<Scheduler, 'replan'> | undefined;
	readonly sendKick?: ((accountId: string) => Promise<KickOutcome>) | undefined;
};

/** What each mark action does to an account's marks. */
const markChanges = {
	pin: {pinned: true, drained: false, evicted: false},
	unpin: {pinned: false},
	drain: {drained: true, pinned: false},
	evict: {evicted: true, pinned: false},
	restore: {pinned: false, drained: false, evicted: false},
} as const satisfies Record<string, Partial<Marks>>;

export type MarkAction = keyof typeof markChanges;
export const markActions = Object.keys(markChanges) as MarkAction[];

const noPool = 'needs a running pool: start it with `codexpool serve` (or `codexpool`, the control center).';

/**
The user's controls over the pool, written once for every core: the embedded one (a daemon runs it, the
remote core reaches it over the admin API) and the store-backed one (no daemon). Marks and settings are saved
in the store (they survive restarts) and, with a running pool, applied to it at once: an evicted account's
sessions move on their next request. Every action resolves with what happened, in the same words whichever
core ran it, and says it as a notice too.
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

	const refused = (error: unknown): ActionResult => ({
		ok: false,
		message: error instanceof Error ? error.message : String(error),
		badInput: true,
	});

	const withAccount = async (
		name: string,
		act: (account: AccountRecord) => ActionResult | Promise<ActionResult>,
	): Promise<ActionResult> => {
		let account: AccountRecord;
		try {
			account = resolveAccount(name, store.listAccounts());
		} catch (error) {
			if (error instanceof AccountNameError) {
				return done(refused(error));
			}

			throw error;
		}

		try {
			return done(await act(account));
		} catch (error) {
			return done({ok: false, message: error instanceof Error ? error.message : String(error)});
		}
	};

	const mark = (action: MarkAction) => async (name: string) =>
		withAccount(name, (account) => {
			const saved = store.setMarks(account.id, {...account.marks, ...markChanges[action]});
			proxy?.pool.setRecords(store.listAccounts());
			scheduler?.replan();
			return {ok: true, message: describeMark(action, saved, store.listAccounts())};
		});

	return {
		pin: mark('pin'),
		unpin: mark('unpin'),
		drain: mark('drain'),
		evict: mark('evict'),
		restore: mark('restore'),
		setCaps: async (name, caps) =>
			withAccount(name, (account) => {
				let checked: ReturnType<typeof checkCaps>;
				try {
					checked = checkCaps(caps);
				} catch (error) {
					return refused(error);
				}

				store.setCaps(account.id, checked);
				proxy?.pool.setRecords(store.listAccounts());
				scheduler?.replan();
				return {ok: true, message: describeCaps(account.name, checked)};
			}),
		async setStrategy(name, options) {
			let change: {strategy: string; strategyOptions?: ReturnType<typeof checkStrategyOptions>};
			let message: string;
			try {
				const strategy = getStrategy(name);
				const accounts = store.listAccounts();
				const checked = options === undefined ? undefined : checkStrategyOptions(options, accounts);
				if (checked !== undefined && Object.keys(checked).length > 0 && strategy.name !== 'sequential') {
					throw new Error(
						`An order and a threshold are options of sequential, not of ${strategy.name}: codexpool strategy sequential --order a,b --threshold 95`,
					);
				}

				change = {
					strategy: strategy.name,
					...(checked && {strategyOptions: {...store.getSettings().strategyOptions, ...checked}}),
				};
				message = `Strategy: ${strategy.name}. ${strategy.description}.${describeStrategyOptions(checked, accounts)}`;
			} catch (error) {
				return done(refused(error));
			}

			store.setSettings(change);
			return done({ok: true, message});
		},
		async setScheduler(change) {
			const accounts = store.listAccounts();
			let next: ReturnType<typeof applySchedulerChange>;
			try {
				next = applySchedulerChange(store.getSettings().scheduler, checkSchedulerChange(change), accounts);
			} catch (error) {
				return done(refused(error));
			}

			// A running core's store listener hands the new settings to its scheduler, which re-plans at once.
			store.setSettings({scheduler: next});
			return done({ok: true, message: `${describeSchedulerSettings(next, accounts)}.`});
		},
		kick: async (name) =>
			withAccount(name, async (account) => {
				if (sendKick === undefined) {
					return {ok: false, message: `Kicking ${account.name} ${noPool}`};
				}

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
			let targets: AccountRecord[];
			try {
				targets =
					name === undefined ? [...store.listAccounts()] : [resolveAccount(name, store.listAccounts())];
			} catch (error) {
				return done(refused(error));
			}

			if (proxy === undefined) {
				return done({ok: false, message: `Reading usage ${noPool}`});
			}

			try {
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

/**
What a mark now means, in one sentence for the TUI's status line, the notices and the command line alike.
Several accounts may be pinned: the message then says they share new sessions, so it is never untrue.
*/
function describeMark(
	action: MarkAction,
	account: AccountRecord,
	accounts: readonly AccountRecord[],
): string {
	const pinned = accounts.filter((candidate) => candidate.marks.pinned).map((candidate) => candidate.name);
	switch (action) {
		case 'pin': {
			return pinned.length > 1
				? `Pinned ${account.name}: new sessions go to the pinned accounts (${pinned.join(', ')}) while one is usable, the strategy choosing among them; unpin the others to send them all to ${account.name}.`
				: `Pinned ${account.name}: new sessions go to it while it is usable.`;
		}

		case 'unpin': {
			return pinned.length > 0
				? `Unpinned ${account.name}: new sessions go to the pinned ${pinned.length === 1 ? 'account' : 'accounts'} (${pinned.join(', ')}).`
				: `Unpinned ${account.name}.`;
		}

		case 'drain': {
			return `Draining ${account.name}: no new sessions; running ones finish there.`;
		}

		case 'evict': {
			return `Evicted ${account.name}: no traffic at all; its sessions move to other accounts on their next request.`;
		}

		case 'restore': {
			return `Restored ${account.name}: it takes traffic as usual.`;
		}
	}
}
