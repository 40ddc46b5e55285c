import {type DaemonInfo, findDaemon} from '../admin/daemon-file.ts';
import {createRemoteCore} from '../admin/remote-core.ts';
import type {Core} from '../contract.ts';
import {openStore, type Store} from '../store/store.ts';
import type {DaemonOptions} from './daemon.ts';
import {createStoreCore} from './store-core.ts';

/** The Core of a home, opened the one way every command and the control center open it. */
export type HomeCore = {
	readonly core: Core;
	/** The daemon the core acts on (attached, or started by this call); undefined for the store-backed core. */
	readonly daemon: DaemonInfo | undefined;
	/** How the core reaches the pool: a daemon of another process, one this call started, or the store alone. */
	readonly kind: 'attached' | 'started' | 'store';
	/** Where a change made through this core takes effect, for a command to say after the action's message. */
	readonly effect: string;
	/** Detaches from the daemon, or stops the pool this call started (removing daemon.json). Safe to call twice. */
	readonly close: () => Promise<void>;
};

export type OpenHomeCoreOptions = {
	/** The home's store when the caller opened it already (so a damaged store is reported before anything). */
	readonly store?: Store | undefined;
	/**
	When no daemon answers, start the pool in this process exactly as `codexpool serve` does (the control
	center) with the options this returns (asked only then: making the TLS certificate is work), instead of
	the store-backed core.
	*/
	readonly start?: (() => Omit<DaemonOptions, 'home' | 'store'>) | undefined;
};

/**
The Core for `home`: the daemon's, over its admin API, when one serves the home and answers; otherwise the
store-backed core (marks and settings saved, applied when the pool starts), or with `start` a pool started
here. The actions and their messages are the same whichever it is.
*/
export async function openHomeCore(home: string, options: OpenHomeCoreOptions = {}): Promise<HomeCore> {
	const daemon = await findDaemon(home);
	if (daemon !== undefined) {
		let core: Core;
		try {
			core = await createRemoteCore({url: daemon.url});
		} catch (error) {
			const reason = error instanceof Error ? error.message : String(error);
			throw new Error(
				`Could not reach the codexpool daemon at ${daemon.url} (pid ${daemon.pid}): ${reason}. Is it still running? Start it with \`codexpool serve\`.`,
			);
		}

		return {
			core,
			daemon,
			kind: 'attached',
			effect: `(Applied by the daemon at ${daemon.url}: in effect now.)`,
			close: once(async () => core.stop()),
		};
	}

	const store = options.store ?? openStore(home);
	if (options.start !== undefined) {
		// Loaded only here: the whole pool (proxy, scheduler, TLS) is more than a command acting on a store needs.
		const {startDaemon} = await import('./daemon.ts');
		const running = await startDaemon({...options.start(), home, store});
		return {
			core: running.core,
			daemon: running.info,
			kind: 'started',
			effect: '(In effect now.)',
			close: running.stop,
		};
	}

	const core = createStoreCore(store);
	return {
		core,
		daemon: undefined,
		kind: 'store',
		effect: `(No daemon serves ${home}: saved in the store; it applies when the pool starts.)`,
		close: once(async () => core.stop()),
	};
}

function once(run: () => Promise<void>): () => Promise<void> {
	let running: Promise<void> | undefined;
	return async () => {
		running ??= run();
		return running;
	};
}
