import type {Clock} from '../../source/core/clock.ts';
import {type AccessSettings, createAccessPolicy} from '../../source/core/http/access.ts';
import {createInFlightCount, type InFlightCount} from '../../source/core/http/in-flight.ts';
import type {Route} from '../../source/core/http/route.ts';
import {createHttpServer, type HttpServer} from '../../source/core/http/server.ts';
import type {PoolKeys} from '../../source/core/keys/pool-keys.ts';
import type {Pool} from '../../source/core/pool/pool.ts';
import {createCodexRoutes} from '../../source/core/proxy/codex-routes.ts';
import type {Engine} from '../../source/core/proxy/dispatch.ts';
import type {WebSocketFrontDoor} from '../../source/core/ws/front-door.ts';

export type Served = {readonly url: string; readonly server: HttpServer; readonly close: () => Promise<void>};

/**
The product's server and access policy (bound to loopback; by default no key required and no origin
allowed) over the product's Codex routes and any `extra` routes, on 127.0.0.1 port 0: the pool without its store, admin API or scheduler.
*/
export async function serveCodexRoutes(
	parts: {
		readonly engine: Engine;
		readonly pool: Pool;
		readonly clock: Clock;
		readonly webSockets?: WebSocketFrontDoor;
		/** The proxy's in-flight count (WebSocket turns join it), else one of the server's own. */
		readonly inFlight?: InFlightCount;
	},
	options: {
		readonly extra?: readonly Route[];
		readonly settings?: () => AccessSettings;
		readonly keys?: Pick<PoolKeys, 'verify'>;
	} = {},
): Promise<Served> {
	const {extra = [], settings = () => ({requireKey: false, allowedOrigins: []})} = options;
	const keys = options.keys ?? {verify: () => undefined};
	const inFlight = parts.inFlight ?? createInFlightCount();
	const server = createHttpServer({
		routes: [...createCodexRoutes({...parts, inFlight}), ...extra],
		access: createAccessPolicy({bindHost: '127.0.0.1', keys, settings}),
		inFlight,
	});
	const url = await server.listen();
	return {url, server, close: () => server.close()};
}
