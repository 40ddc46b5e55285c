import {type AdminCore, createAdminRoutes} from './admin/routes.ts';
import type {Clock} from './clock.ts';
import type {InFlightCount} from './http/in-flight.ts';
import type {Route} from './http/route.ts';
import {createOpenAiFrontDoor} from './openai/front-door.ts';
import {createCodexRoutes} from './proxy/codex-routes.ts';
import type {PoolProxy} from './proxy/index.ts';
import type {Store} from './store/store.ts';

export type RouteListParts = {
	readonly proxy: PoolProxy;
	readonly store: Store;
	readonly clock: Clock;
	/** The actions and the snapshot, for the admin API. */
	readonly core: AdminCore;
	readonly inFlight: InFlightCount;
};

/**
Every path the pool serves, in one list: Codex's (`/backend-api/...`, its usage paths, `/healthz`), the
OpenAI-compatible `/v1`, and the admin API (`/api/...`). Each route names its door, which decides its error
shape and the credential the access policy asks for (source/core/http/access.ts). A new route, or a WebSocket
upgrade on a path (a route with `upgrade`), is one more entry here.
*/
export function createRouteList({proxy, store, clock, core, inFlight}: RouteListParts): Route[] {
	return [
		...createCodexRoutes({
			engine: proxy.engine,
			pool: proxy.pool,
			clock,
			inFlight,
			webSockets: proxy.webSockets,
			maxBodyBytes: () => store.getSettings().maxBodyBytes,
		}),
		...createOpenAiFrontDoor({
			engine: proxy.engine,
			pool: proxy.pool,
			store,
			clock,
			webSockets: proxy.webSockets,
		}),
		...createAdminRoutes(core),
		proxy.passthrough,
	];
}
