import type {Clock} from '../clock.ts';
import {createPoolKeys, type KeyStorage} from '../keys/pool-keys.ts';
import type {Pool} from '../pool/pool.ts';
import type {Engine} from '../proxy/dispatch.ts';
import type {ProxyRoute} from '../proxy/server.ts';
import type {Settings} from '../store/types.ts';
import {createModelCatalog} from './catalog.ts';
import {openAiProxyRoutes} from './proxy-routes.ts';

/**
The OpenAI-compatible front door wired to the pool in one call, for `serve`, the control center and the demo:
`createProxyServer({routes: [...createCodexRoutes(...), ...createOpenAiFrontDoor({engine, pool, store, clock})]})`.
Keys and settings are read from the store on each request, so `codexpool keys revoke` and a settings change
apply to a running server. `bindHost` is the address the server listens on (for the loopback rule).
*/
export function createOpenAiFrontDoor(options: {
	engine: Pick<Engine, 'dispatch' | 'get'>;
	pool: Pick<Pool, 'list' | 'isUsable'>;
	store: KeyStorage & {getSettings: () => Settings};
	clock: Clock;
	bindHost?: string;
}): ProxyRoute[] {
	const {engine, pool, store, clock} = options;
	const models = createModelCatalog({
		get: (accountId, path) => engine.get(accountId, path),
		accountIds: () =>
			pool
				.list()
				.map((account) => account.record.id)
				.sort((a, b) => Number(pool.isUsable(b)) - Number(pool.isUsable(a))),
		clock,
	});
	return openAiProxyRoutes({
		dispatch: engine.dispatch,
		keys: createPoolKeys(store, {clock}),
		settings: () => store.getSettings(),
		models,
		clock,
		bindHost: options.bindHost,
	});
}
