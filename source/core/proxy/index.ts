import type {Clock} from '../clock.ts';
import type {StrategyOptions} from '../model.ts';
import {createPool, type Pool} from '../pool/pool.ts';
import type {AccountQuota} from '../quota/types.ts';
import type {Random} from '../random.ts';
import {createIssuerRegistry, type IssuerRegistry} from '../sessions/issuers.ts';
import {createSessionRegistry, type SessionRegistry} from '../sessions/registry.ts';
import type {AccountRecord} from '../store/types.ts';
import {createWebSocketFrontDoor, type WebSocketFrontDoor} from '../ws/front-door.ts';
import {createAccountChoice} from './account-choice.ts';
import {createCodexRoutes} from './codex-routes.ts';
import {createEngine, type Engine} from './dispatch.ts';
import type {Dispatch} from './dispatch-types.ts';
import {Emitter, type ProxyEvents} from './events.ts';
import {strategySelector} from './selection.ts';
import {createProxyServer, type ProxyRoute, type ProxyServer} from './server.ts';
import {createUpstreamAgent, parseUpstreamBase, type TokenSource} from './upstream-client.ts';
import {pollUsage, startUsagePolling} from './usage-poll.ts';

export {readJsonBody, readRequestBody} from './body.ts';
export type {DispatchFailure, DispatchRequest, DispatchResult, DispatchSuccess} from './dispatch-types.ts';
export type {FailoverEvent, ProxyEvents} from './events.ts';
export {clientGoneSignal, clientName, sendDispatchResult} from './respond.ts';
export {createProxyServer, type ProxyRoute, type ProxyServer, sendError, sendJson} from './server.ts';
export type {Dispatch, Engine, Pool, SessionRegistry, TokenSource};

/** The ChatGPT backend, unless `CODEXPOOL_UPSTREAM` names another (the simulated one in tests and the demo). */
export const DEFAULT_UPSTREAM = 'https://chatgpt.com/backend-api';

export type PoolProxyOptions = {
	readonly clock: Clock;
	readonly random: Random;
	/** The accounts from the store; later changes go through `pool.setRecords`. */
	readonly records: readonly AccountRecord[];
	readonly tokens: TokenSource;
	/** The strategy's name, read on every pick. */
	readonly strategy: () => string;
	readonly strategyOptions?: () => StrategyOptions | undefined;
	/** Backend base URL (default `$CODEXPOOL_UPSTREAM`, else `https://chatgpt.com/backend-api`). */
	readonly upstream?: string;
	/** `--wait-up-to`: hold a request this long (clock ms) when an account becomes usable by then. */
	readonly waitUpToMs?: number;
	/** Routes tried before Codex's own (the `/v1` routes, the admin API). */
	readonly routes?: readonly ProxyRoute[];
	/** See ProxyServerOptions.authorize (pool keys). */
	readonly authorize?: Parameters<typeof createProxyServer>[0]['authorize'];
	readonly maxBodyBytes?: number;
	/** The bound on client WebSockets open at once, read at each handshake. */
	readonly maxWebSockets?: () => number;
};

/** Everything the core wires: the live pool, sessions, the engine (dispatch + events) and the HTTP server. */
export type PoolProxy = {
	readonly pool: Pool;
	readonly sessions: SessionRegistry;
	readonly issuers: IssuerRegistry;
	readonly engine: Engine;
	readonly dispatch: Dispatch;
	readonly events: Emitter<ProxyEvents>;
	readonly server: ProxyServer;
	/** The Responses WebSocket mode: Codex's path is mounted; `/v1/responses` is mounted by the core. */
	readonly webSockets: WebSocketFrontDoor;
	/** GET /wham/usage for one account (what the scheduler and "refresh usage" call). */
	readonly pollUsage: (accountId: string) => Promise<AccountQuota | undefined>;
	/** Polls every account every ~60 s (jittered); returns the stop function. */
	readonly startUsagePolling: (intervalMs?: number) => () => void;
	/** Closes the server and the upstream connection pool (streams in flight are cut). */
	readonly close: () => Promise<void>;
};

/** Builds the proxy around a pool of accounts; call `server.listen(port, host)` to serve. */
export function createPoolProxy(options: PoolProxyOptions): PoolProxy {
	const {clock, random} = options;
	const pool = createPool({clock, records: options.records});
	const sessions = createSessionRegistry({clock});
	const issuers = createIssuerRegistry();
	const events = new Emitter<ProxyEvents>();
	const dispatcher = createUpstreamAgent();
	const upstream = parseUpstreamBase(options.upstream ?? process.env.CODEXPOOL_UPSTREAM ?? DEFAULT_UPSTREAM);
	const select = strategySelector(options.strategy);
	const engine = createEngine({
		pool,
		sessions,
		issuers,
		tokens: options.tokens,
		select,
		strategyOptions: options.strategyOptions,
		upstream,
		dispatcher,
		clock,
		random,
		waitUpToMs: options.waitUpToMs,
		events,
	});
	let wsRequests = 0;
	const webSockets = createWebSocketFrontDoor({
		deps: {
			pool,
			sessions,
			issuers,
			tokens: options.tokens,
			choice: createAccountChoice({pool, select, strategyOptions: options.strategyOptions, clock, random}),
			upstream,
			clock,
			events,
			waitUpToMs: options.waitUpToMs,
			nextRequestId: () => `ws-${++wsRequests}`,
		},
		maxSockets: options.maxWebSockets,
	});
	webSockets.mount({
		path: '/backend-api/codex/responses',
		authorize: async (request) => {
			const refusal = await options.authorize?.(request, new URL(request.url ?? '/', 'http://localhost'));
			return refusal === undefined ? undefined : {status: 401, type: 'invalid_pool_key', message: refusal};
		},
		backendFrames: true,
		logPath: '/codex/responses',
	});
	const server = createProxyServer({
		routes: [
			...(options.routes ?? []),
			...createCodexRoutes({engine, pool, clock, maxBodyBytes: options.maxBodyBytes}),
		],
		authorize: options.authorize,
		upgrade: webSockets.handleUpgrade,
	});
	return {
		pool,
		sessions,
		issuers,
		engine,
		dispatch: engine.dispatch,
		events,
		server,
		webSockets,
		pollUsage: (accountId) => pollUsage(engine, pool, clock, accountId),
		startUsagePolling: (intervalMs) => startUsagePolling({engine, pool, clock, random, intervalMs}),
		async close() {
			webSockets.close();
			const closing = server.close();
			server.server.closeAllConnections();
			await closing;
			await dispatcher.destroy();
		},
	};
}
