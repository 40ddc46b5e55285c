import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {type Clock, systemClock} from '../../source/core/clock.ts';
import {createPoolKeys, type PoolKeys} from '../../source/core/keys/pool-keys.ts';
import {createOpenAiFrontDoor} from '../../source/core/openai/front-door.ts';
import {createPool, type Pool} from '../../source/core/pool/pool.ts';
import {createEngine, type Engine} from '../../source/core/proxy/dispatch.ts';
import {Emitter, type ProxyEvents} from '../../source/core/proxy/events.ts';
import {strategySelector} from '../../source/core/proxy/selection.ts';
import {
	createUpstreamAgent,
	parseUpstreamBase,
	type TokenSource,
} from '../../source/core/proxy/upstream-client.ts';
import {createRandom} from '../../source/core/random.ts';
import {createIssuerRegistry} from '../../source/core/sessions/issuers.ts';
import {createSessionRegistry} from '../../source/core/sessions/registry.ts';
import type {SimulatedUpstream} from '../../source/core/simulated-backend/index.ts';
import {openStore, type Store} from '../../source/core/store/store.ts';
import {type FaultyUpstream, startFaultyUpstream} from '../helpers/faults.ts';
import {recordFor} from '../proxy/harness.ts';
import {serveCodexRoutes} from '../proxy/serve.ts';

/** The tokens the upstream issued to each account; these tests never expire them, so no refresh is needed. */
function issuedTokens(upstream: SimulatedUpstream, names: readonly string[]): TokenSource {
	const tokens = new Map(
		names.map((name) => [
			upstream.accounts.get(name).accountId,
			upstream.accounts.get(name).tokens.accessToken,
		]),
	);
	const get = async (id: string) => {
		const token = tokens.get(id);
		if (token === undefined) {
			throw new Error(`no tokens for ${id}`);
		}

		return token;
	};

	return {getAccessToken: get, refreshAfter401: get};
}

export type PoolHarness = {
	readonly upstream: FaultyUpstream;
	/** The pool's base URL for OpenAI clients: `http://127.0.0.1:PORT/v1`. */
	readonly baseURL: string;
	readonly key: string;
	readonly keys: PoolKeys;
	readonly pool: Pool;
	readonly engine: Engine;
	/** The pool's store in a temporary home (keys and settings are read from it on every request). */
	readonly store: Store;
	readonly failovers: ProxyEvents['failover'][0][];
	readonly close: () => Promise<void>;
};

/**
The whole path an OpenAI client takes: the proxy server (H5's) with the Codex routes and the `/v1` routes,
the engine with its pool over `names` accounts, and the simulated upstream (H3's), all on 127.0.0.1 port 0.
*/
export async function startPool(
	names: readonly string[] = ['a', 'b'],
	options: {clock?: Clock} = {},
): Promise<PoolHarness> {
	const clock = options.clock ?? systemClock;
	const upstream = await startFaultyUpstream({clock, accounts: names.map((name) => ({name}))});
	const pool = createPool({clock, records: names.map((name) => recordFor(upstream, name))});
	const events = new Emitter<ProxyEvents>();
	const failovers: PoolHarness['failovers'] = [];
	events.on('failover', (event) => failovers.push(event));
	const dispatcher = createUpstreamAgent();
	const engine = createEngine({
		pool,
		sessions: createSessionRegistry({clock}),
		issuers: createIssuerRegistry(),
		tokens: issuedTokens(upstream, names),
		select: strategySelector(() => 'round-robin'),
		upstream: parseUpstreamBase(upstream.backendUrl),
		dispatcher,
		clock,
		random: createRandom(1),
		events,
	});
	const home = fs.mkdtempSync(path.join(os.tmpdir(), 'codexpool-e2e-'));
	const store = openStore(home);
	store.setSettings({requireKey: true, models: {publish: [], aliases: {fast: 'gpt-5.6-sol'}}});
	const keys = createPoolKeys(store, {clock});
	const {key} = keys.create('e2e');
	const proxy = await serveCodexRoutes(
		{engine, pool, clock},
		{extra: createOpenAiFrontDoor({engine, pool, store, clock}), settings: () => store.getSettings(), keys},
	);
	const url = proxy.url;
	return {
		upstream,
		baseURL: `${url}/v1`,
		key,
		keys,
		pool,
		engine,
		store,
		failovers,
		async close() {
			await proxy.close();
			await dispatcher.close();
			await upstream.close();
			fs.rmSync(home, {recursive: true, force: true});
		},
	};
}
