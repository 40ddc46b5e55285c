import type {Clock} from '../clock.ts';
import {createInFlightCount, type InFlightCount} from '../http/in-flight.ts';
import type {Route} from '../http/route.ts';
import type {StrategyOptions} from '../model.ts';
import {createPool, type Pool} from '../pool/pool.ts';
import type {AccountQuota} from '../quota/types.ts';
import type {Random} from '../random.ts';
import {createIssuerRegistry, type IssuerRegistry} from '../sessions/issuers.ts';
import {createSessionRegistry, type SessionRegistry} from '../sessions/registry.ts';
import type {AccountRecord} from '../store/types.ts';
import {createWebSocketFrontDoor, type WebSocketFrontDoor} from '../ws/front-door.ts';
import {UpstreamWebSocketSupport} from '../ws/handshake.ts';
import {createSocketTransport} from '../ws/http-over-socket.ts';
import {createAccountChoice} from './account-choice.ts';
import {createEngine, type Engine} from './dispatch.ts';
import type {Dispatch} from './dispatch-types.ts';
import {Emitter, type ProxyEvents} from './events.ts';
import {createPassthroughRoute} from './passthrough.ts';
import {strategySelector} from './selection.ts';
import {PoolStoppingError} from './stopping.ts';
import {createUpstreamAgent, parseUpstreamBase, type TokenSource} from './upstream-client.ts';
import {pollUsage, startUsagePolling} from './usage-poll.ts';

export type {DispatchFailure, DispatchRequest, DispatchResult, DispatchSuccess} from './dispatch-types.ts';
export type {FailoverEvent, ProxyEvents} from './events.ts';
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
	/** Whether HTTP clients' responses requests ride a per-session upstream WebSocket (read per request; default off). */
	readonly upstreamWebSocket?: () => boolean;
	/** The bound on client WebSockets open at once, read at each handshake. */
	readonly maxWebSockets?: () => number;
};

/**
The pool's working parts: the live pool of accounts, the sessions, the issuers of encrypted items, and the
dispatch engine over one upstream connection pool. No HTTP server: the routes that use these parts are
mounted on one (source/core/route-list.ts, source/core/http/server.ts).
*/
export type PoolProxy = {
	readonly pool: Pool;
	readonly sessions: SessionRegistry;
	readonly issuers: IssuerRegistry;
	readonly engine: Engine;
	readonly dispatch: Dispatch;
	readonly events: Emitter<ProxyEvents>;
	/**
	The Responses WebSocket mode: Codex's path is mounted here; the route list hands it the upgrades on that
	path once the access policy let them through (source/core/proxy/codex-routes.ts).
	*/
	readonly webSockets: WebSocketFrontDoor;
	/**
	The pool's one count of model turns in flight: HTTP responses (tracked by the server) and WebSocket turns;
	`/healthz`, status and the stop's grace read it.
	*/
	readonly inFlight: InFlightCount;
	/** GET /wham/usage for one account (what the scheduler and "refresh usage" call). */
	readonly pollUsage: (accountId: string) => Promise<AccountQuota | undefined>;
	/** Polls every account every ~60 s (jittered); returns the stop function. */
	readonly startUsagePolling: (intervalMs?: number) => () => void;
	/**
	Ends every stream still running with its protocol's last event (PoolStoppingError): the upstream requests
	are aborted with that reason, WebSocket turns get a `response.failed` and their connection closes (1001).
	The server calls it when the grace period of a stop is over.
	*/
	readonly endStreams: () => void;
	/** The paths the pool does not pool, passed to the upstream with the client's own login (passthrough.ts). */
	readonly passthrough: Route;
	/** Closes the upstream connection pool (upstream requests still running are cut). */
	readonly close: () => Promise<void>;
};

/** Builds the parts around a pool of accounts. */
export function createPoolProxy(options: PoolProxyOptions): PoolProxy {
	const {clock, random} = options;
	const pool = createPool({clock, records: options.records});
	const sessions = createSessionRegistry({clock});
	const issuers = createIssuerRegistry();
	const events = new Emitter<ProxyEvents>();
	// A request that used tokens started its account's idle windows: shown at once, not at the next usage poll.
	events.on('request', (entry) => {
		if (entry.accountId !== undefined && entry.status < 400 && entry.inputTokens + entry.outputTokens > 0) {
			pool.observeUse(entry.accountId, entry.at - (entry.durationMs ?? 0) * clock.speed);
		}
	});
	const dispatcher = createUpstreamAgent();
	const upstream = parseUpstreamBase(options.upstream ?? process.env.CODEXPOOL_UPSTREAM ?? DEFAULT_UPSTREAM);
	const select = strategySelector(options.strategy);
	// Aborted when the pool stops: every upstream request still running ends, and so does its client's stream.
	const stopping = new AbortController();
	// What the upstream said of WebSocket, shared by Codex's front door and the HTTP path's sockets.
	const support = new UpstreamWebSocketSupport();
	const socketTransport = createSocketTransport({
		upstream,
		clock,
		support,
		enabled: options.upstreamWebSocket ?? (() => false),
	});
	const engine = createEngine({
		stopSignal: stopping.signal,
		socketTransport,
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
	const inFlight = createInFlightCount();
	let wsRequests = 0;
	const webSockets = createWebSocketFrontDoor({
		support,
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
			inFlight,
			nextRequestId: () => `ws-${++wsRequests}`,
		},
		maxSockets: options.maxWebSockets,
	});
	webSockets.mount({
		path: '/backend-api/codex/responses',
		// The HTTP server applies the access policy (Host, Origin, pool key) before any upgrade reaches a route.
		authorize: () => undefined,
		backendFrames: true,
		logPath: '/codex/responses',
	});
	return {
		pool,
		sessions,
		issuers,
		engine,
		dispatch: engine.dispatch,
		events,
		webSockets,
		inFlight,
		pollUsage: (accountId) => pollUsage(engine, pool, clock, accountId),
		startUsagePolling: (intervalMs) => startUsagePolling({engine, pool, clock, random, intervalMs}),
		passthrough: createPassthroughRoute({upstream, dispatcher}),
		endStreams: () => {
			const stopped = new PoolStoppingError();
			stopping.abort(stopped);
			webSockets.stopTurns(stopped.message);
		},
		async close() {
			webSockets.close();
			socketTransport.close();
			await dispatcher.destroy();
		},
	};
}
