import {createPoolKeys} from '../../source/core/keys/pool-keys.ts';
import type {ProxyEvents} from '../../source/core/proxy/events.ts';
import type {Store} from '../../source/core/store/store.ts';
import type {FaultyUpstream} from '../helpers/faults.ts';
import {startRig} from '../helpers/rig.ts';

export type PoolHarness = {
	readonly upstream: FaultyUpstream;
	/** The pool's base URL for OpenAI clients: `http://127.0.0.1:PORT/v1`. */
	readonly baseURL: string;
	/** A pool key (the pool requires one). */
	readonly key: string;
	/** The pool's store in a temporary home (keys and settings are read from it on every request). */
	readonly store: Store;
	readonly failovers: ProxyEvents['failover'][0][];
	readonly close: () => Promise<void>;
};

/**
The whole path an OpenAI client takes, as the product runs it (test/helpers/rig.ts): the pool over `names`
accounts requiring a pool key, one created, and a `fast` alias, in front of the simulated upstream.
*/
export async function startPool(names: readonly string[] = ['a', 'b']): Promise<PoolHarness> {
	const rig = await startRig({
		accounts: names,
		settings: {requireKey: true, models: {publish: [], aliases: {fast: 'gpt-5.6-sol'}}},
	});
	const {key} = createPoolKeys(rig.store).create('e2e');
	return {
		upstream: rig.upstream,
		baseURL: `${rig.url}/v1`,
		key,
		store: rig.store,
		failovers: rig.events.failover,
		close: rig.close,
	};
}
