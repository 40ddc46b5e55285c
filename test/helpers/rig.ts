import type {Clock} from '../../source/core/clock.ts';
import {type EmbeddedCore, startEmbeddedCore} from '../../source/core/core.ts';
import type {ProxyEvents} from '../../source/core/proxy/events.ts';
import type {
	SimulatedAccountInput,
	SimulatedUpstreamOptions,
} from '../../source/core/simulated-backend/index.ts';
import type {Store} from '../../source/core/store/store.ts';
import type {Settings} from '../../source/core/store/types.ts';
import {type FaultyUpstream, startFaultyUpstream} from './faults.ts';
import {seededHome} from './home.ts';

export type RigOptions = {
	/** The simulated accounts, by name or in full (default `a` and `b`). */
	readonly accounts?: readonly (string | SimulatedAccountInput)[];
	/** The accounts the pool holds, by name (default all of them): others exist only upstream. */
	readonly poolHolds?: readonly string[];
	/** One clock for the upstream and the pool (default the system clock). */
	readonly clock?: Clock;
	/** The pool's strategy (default `round-robin`, so tests can tell which account comes next). */
	readonly strategy?: string;
	/** `--wait-up-to`, in clock ms. */
	readonly waitUpToMs?: number;
	/** Settings over the seeded home's (the scheduler is off unless these turn it on). */
	readonly settings?: Partial<Settings>;
	/** More options of the simulated upstream (`seed` decides its probabilistic faults). */
	readonly upstream?: Omit<SimulatedUpstreamOptions, 'accounts' | 'clock'> & {readonly seed?: number};
};

/** The events the pool's engine emitted, each kind in order. */
export type RecordedEvents = {[K in keyof ProxyEvents]: ProxyEvents[K][0][]};

/**
The product as it runs, on loopback: the simulated upstream (with faults to inject), a temporary home seeded
with its accounts, and the pool started by the product's own composition root (`startEmbeddedCore`, what
`codexpool serve` runs): Codex, OpenAI and admin routes, token manager, usage polls.
*/
export type Rig = {
	readonly upstream: FaultyUpstream;
	readonly core: EmbeddedCore;
	readonly store: Store;
	readonly home: string;
	/** The pool's base URL, e.g. `http://127.0.0.1:PORT`. */
	readonly url: string;
	readonly pool: EmbeddedCore['proxy']['pool'];
	readonly sessions: EmbeddedCore['proxy']['sessions'];
	readonly issuers: EmbeddedCore['proxy']['issuers'];
	readonly events: RecordedEvents;
	/** chatgpt_account_id of an upstream account by name. */
	readonly id: (name: string) => string;
	/** Refresh grants the upstream's issuer answered. */
	readonly refreshes: () => number;
	/** Upstream requests that are not the background's usage polls: what clients caused. */
	readonly clientTraffic: () => number;
	readonly close: () => Promise<void>;
};

export async function startRig(options: RigOptions = {}): Promise<Rig> {
	const accounts = (options.accounts ?? ['a', 'b']).map((account) =>
		typeof account === 'string' ? {name: account} : account,
	);
	const upstream = await startFaultyUpstream({...options.upstream, clock: options.clock, accounts});
	const {home, store, remove} = seededHome(upstream, {
		strategy: options.strategy ?? 'round-robin',
		...options.settings,
	});
	for (const account of upstream.accounts.list()) {
		if (options.poolHolds !== undefined && !options.poolHolds.includes(account.name)) {
			store.removeAccount(account.accountId);
		}
	}
	let core: EmbeddedCore;
	try {
		core = await startEmbeddedCore({
			store,
			clock: options.clock,
			upstream: upstream.backendUrl,
			issuer: upstream.issuerUrl,
			port: 0,
			waitUpToMs: options.waitUpToMs,
			watchStore: false,
		});
	} catch (error) {
		await upstream.close();
		remove();
		throw error;
	}

	const events: RecordedEvents = {request: [], move: [], failover: [], notice: []};
	const {proxy} = core;
	proxy.events.on('request', (event) => events.request.push(event));
	proxy.events.on('move', (event) => events.move.push(event));
	proxy.events.on('failover', (event) => events.failover.push(event));
	proxy.events.on('notice', (event) => events.notice.push(event));
	const isRefresh = (entry: FaultyUpstream['log'][number]) =>
		entry.path.startsWith('/oauth/token') &&
		(entry.body as {grant_type?: unknown} | undefined)?.grant_type === 'refresh_token';
	return {
		upstream,
		core,
		store,
		home,
		url: core.url,
		pool: proxy.pool,
		sessions: proxy.sessions,
		issuers: proxy.issuers,
		events,
		id: (name) => upstream.accounts.get(name).accountId,
		refreshes: () => upstream.log.filter(isRefresh).length,
		clientTraffic: () =>
			upstream.log.filter((entry) => !entry.path.startsWith('/backend-api/wham/usage')).length,
		async close() {
			await core.stop();
			await upstream.close();
			remove();
		},
	};
}
