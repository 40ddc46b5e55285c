import {type Activity, createActivity, schedulerNotice, tokenNotice} from './activity.ts';
import type {AdminCore} from './admin/routes.ts';
import {authIssuer} from './auth/oauth-client.ts';
import {TokenManager} from './auth/token-manager.ts';
import {type Clock, systemClock} from './clock.ts';
import type {Core, CoreSnapshot} from './contract.ts';
import {createCoreActions} from './core-actions.ts';
import {startRequestHistory} from './history/attach.ts';
import {assertBindAllowed, createAccessPolicy} from './http/access.ts';
import {createHttpServer, type HttpServer} from './http/server.ts';
import {createPoolKeys} from './keys/pool-keys.ts';
import {planOnShow} from './plan-on-show.ts';
import {createPoolProxy, DEFAULT_UPSTREAM, type PoolProxy} from './proxy/index.ts';
import {parseQuotaHeaders} from './quota/parse-headers.ts';
import {createRandom, type Random} from './random.ts';
import {createRouteList} from './route-list.ts';
import {createScheduler, type Scheduler} from './scheduler/index.ts';
import {createKickSender} from './scheduler/kick-request.ts';
import {replanWhenWindowsChange} from './scheduler/replan-on-change.ts';
import {accountSnapshot} from './snapshot-builder.ts';
import {createSnapshotPublisher} from './snapshot-publisher.ts';
import type {Store} from './store/store.ts';
import {strategies} from './strategies/index.ts';
import {type HttpsMirror, listenHttpsMirror} from './tls/https-mirror.ts';
import {openAiWebSocketRoute} from './ws/openai-route.ts';

export {assertBindAllowed} from './http/access.ts';

export type EmbeddedCoreOptions = {
	readonly store: Store;
	readonly clock?: Clock;
	readonly random?: Random;
	/** `demo` only changes what the header says. */
	readonly mode?: 'embedded' | 'demo';
	/** Backend base (default `$CODEXPOOL_UPSTREAM`, else the ChatGPT backend). */
	readonly upstream?: string;
	/** OAuth issuer (default `$CODEXPOOL_AUTH_ISSUER`, else auth.openai.com). */
	readonly issuer?: string;
	readonly host?: string;
	readonly port?: number;
	/** `--wait-up-to`, in clock ms. */
	readonly waitUpToMs?: number;
	readonly adminToken?: string;
	/** Watch the store file for changes made by other processes (default true). */
	readonly watchStore?: boolean;
	/**
	Also serve every route over HTTPS on 127.0.0.1:`tls.port` (0 picks one) with this certificate: Codex's
	built-in provider needs its `chatgpt_base_url` on HTTPS (codex-config variant A; see source/core/tls).
	*/
	readonly tls?: {readonly key: string; readonly cert: string; readonly port: number};
};

export type EmbeddedCore = Core & {
	/** The proxy's base URL, e.g. `http://127.0.0.1:4455`. */
	readonly url: string;
	/** The HTTPS listener's base URL (e.g. `https://127.0.0.1:4456`) when `tls` was given. */
	readonly tlsUrl: string | undefined;
	readonly proxy: PoolProxy;
	readonly scheduler: Scheduler;
	readonly server: HttpServer;
	/**
	Stops the pool. Streams in flight get up to `graceMs` (default 0) to finish, less if `hurry` aborts; those
	still running then end with their protocol's last event (PoolProxy.endStreams).
	*/
	readonly stop: (graceMs?: number, hurry?: AbortSignal) => Promise<void>;
};

/**
The whole pool in this process, put together in one direction: the parts (activity, token manager, pool and
engine, scheduler) → the actions → the route list (Codex, OpenAI, admin) → the server → listen. Resolves once
it listens.
*/
export async function startEmbeddedCore(options: EmbeddedCoreOptions): Promise<EmbeddedCore> {
	const {store} = options;
	const clock = options.clock ?? systemClock;
	const random = options.random ?? createRandom(Date.now() >>> 0);
	const host = options.host ?? '127.0.0.1';
	const settings = store.getSettings();
	assertBindAllowed(host, store);

	// The parts. The publisher builds a snapshot on first read, which comes after listen (see `snapshot`).
	const publisher = createSnapshotPublisher(() => snapshot());
	const activity = createActivity({clock, onChange: publisher.markDirty});
	// A damaged store is said in full among the notices too; the snapshot carries it while its copy is there.
	for (const damage of store.damage()) {
		activity.notify('error', damage.message);
	}

	const names = () => new Map(store.listAccounts().map((record) => [record.id, record.name]));
	const nameOf = (id: string) => names().get(id) ?? id;
	const tokens = new TokenManager({
		store,
		issuer: options.issuer ?? authIssuer(process.env),
		clock,
		onEvent: (event) => tokenNotice(event, nameOf, activity.notify),
	});
	const upstream = options.upstream ?? process.env.CODEXPOOL_UPSTREAM ?? DEFAULT_UPSTREAM;
	const proxy = createPoolProxy({
		clock,
		random,
		records: store.listAccounts(),
		tokens,
		strategy: () => store.getSettings().strategy,
		strategyOptions: () => store.getSettings().strategyOptions,
		upstream,
		waitUpToMs: options.waitUpToMs,
		maxWebSockets: () => store.getSettings().maxWebSockets,
		upstreamWebSocket: () => store.getSettings().upstreamWebSocket,
	});
	// The `/v1/responses` WebSocket mode (the openai SDK's ResponsesWS); the route list takes its upgrades.
	proxy.webSockets.mount(
		openAiWebSocketRoute({
			engine: proxy.engine,
			pool: proxy.pool,
			settings: () => store.getSettings(),
			clock,
		}),
	);
	const sendKick = kickSender(upstream, tokens, proxy, clock);
	const schedulerViews = () =>
		proxy.pool.views().map((view) => ({...view, usageKnown: proxy.pool.get(view.id)?.quota !== undefined}));
	const scheduler = createScheduler({
		clock,
		random,
		settings: settings.scheduler,
		getAccounts: () => {
			const byId = names();
			return schedulerViews().map((view) => ({...view, name: byId.get(view.id)}));
		},
		sendKick,
		pollUsage: async () => {
			await Promise.all(proxy.pool.list().map(async (account) => proxy.pollUsage(account.record.id)));
		},
		refreshGuard: async () => {
			for (const account of proxy.pool.list()) {
				if (account.record.needsLogin === undefined) {
					await tokens.getAccessToken(account.record.id).catch(() => undefined);
				}
			}
		},
		onEvent: (event) => schedulerNotice(event, activity, publisher.markDirty),
	});
	// The proxy's count: WebSocket turns join it as HTTP responses do.
	const inFlight = proxy.inFlight;

	// The actions, and the core the admin API and the TUI use.
	const actions = createCoreActions({
		store,
		proxy,
		scheduler,
		sendKick,
		notify: activity.notify,
		flush: publisher.flush,
	});
	const core: AdminCore = {
		...actions,
		subscribe: publisher.subscribe,
		getSnapshot: publisher.getSnapshot,
		on: activity.on,
	};

	// The route list, the server over it, and the one access policy every door applies.
	const server = createHttpServer({
		routes: createRouteList({proxy, store, clock, core, inFlight}),
		access: createAccessPolicy({
			bindHost: host,
			keys: createPoolKeys(store, {clock}),
			settings: () => store.getSettings(),
			adminToken: options.adminToken,
		}),
		inFlight,
	});

	const history = startRequestHistory({
		on: core.on,
		home: store.home,
		now: () => clock.now(),
		lookup: (id) => {
			const account = proxy.pool.get(id);
			return account && {plan: account.record.plan, quota: account.quota};
		},
		onError: (error) => activity.notify('warn', `Could not write the request history: ${String(error)}`),
		pool: () => ({
			plans: proxy.pool.list().map((account) => account.record.plan),
			strategy: store.getSettings().strategy,
			scheduler: store.getSettings().scheduler.policy,
		}),
		advise: (message) => activity.notify('info', message),
	});
	const stops = [
		activity.watch(proxy, nameOf),
		inFlight.onChange(publisher.markDirty),
		replanWhenWindowsChange({
			accounts: schedulerViews,
			now: () => clock.now(),
			onPoolChange: proxy.pool.onChange,
			replan: () => scheduler.replan(),
		}),
		store.onDidChange(() => {
			proxy.pool.setRecords(store.listAccounts());
			scheduler.updateSettings(store.getSettings().scheduler);
			publisher.markDirty();
		}),
		options.watchStore === false ? () => {} : store.watch(),
	];
	const stopParts = async () => {
		for (const stop of stops) {
			stop();
		}

		publisher.stop();
		await scheduler.stop();
		// Together: the client WebSockets (closed by the proxy) would otherwise hold the server's close.
		await Promise.all([proxy.close(), server.close()]);
		await history.stop();
	};

	// Listen.
	let mirror: HttpsMirror | undefined;
	const url = await server.listen(options.port ?? 4455, host).catch(async (error: unknown) => {
		// Nothing may keep running (and keep the process alive) when the core could not start.
		await stopParts();
		throw error;
	});
	if (options.tls !== undefined) {
		mirror = await listenHttpsMirror(server.nodeServer, options.tls, options.tls.port).catch(
			async (error: unknown) => {
				await stopParts();
				throw error;
			},
		);
	}

	const strategyList = Object.values(strategies).map(({name, description}) => ({name, description}));
	function snapshot(): CoreSnapshot {
		return buildSnapshot({
			mode: options.mode ?? 'embedded',
			clock,
			url,
			strategy: store.getSettings().strategy,
			strategyList,
			proxy,
			activity,
			scheduler,
			inFlight: inFlight.current(),
			storeDamage: store.damage(),
		});
	}

	publisher.flush();
	// Read every account's usage at once, so the first screen shows bars rather than dashes (and the scheduler,
	// which kicks no account before it knows its windows, plans on them).
	void Promise.all(
		proxy.pool.list().map(async (account) => proxy.pollUsage(account.record.id).catch(() => undefined)),
	);
	const stopPolling = proxy.startUsagePolling();

	return {
		...core,
		url,
		tlsUrl: mirror?.url,
		proxy,
		scheduler,
		server,
		async stop(graceMs?: number, hurry?: AbortSignal) {
			stopPolling();
			// First, while the rest still runs: no new connections, the streams in flight finish or are ended.
			// WebSocket connections between turns close now (1001); the others after their turn.
			proxy.webSockets.drain();
			await server.drain(graceMs ?? 0, proxy.endStreams, hurry);
			await mirror?.close();
			await stopParts();
		},
	};
}

/** A kick's answer carries the usage headers, and it started the windows: they show at once, not at the next poll. */
function kickSender(upstream: string, tokens: TokenManager, proxy: PoolProxy, clock: Clock) {
	const sendKickRequest = createKickSender({
		backendUrl: upstream,
		getAccessToken: async (id) => tokens.getAccessToken(id),
		clock,
	});
	return async (accountId: string) => {
		const outcome = await sendKickRequest(accountId);
		const quota = parseQuotaHeaders(outcome.rateLimitHeaders, clock.now());
		if (quota !== undefined) {
			proxy.pool.observeQuota(accountId, quota);
		}

		// The headers of a window that just started read as idle (quota/started.ts); the kick started it.
		if (outcome.ok && outcome.inputTokens + outcome.outputTokens > 0) {
			proxy.pool.observeUse(accountId, clock.now() - outcome.durationMs * clock.speed);
		}

		return outcome;
	};
}

function buildSnapshot(parts: {
	readonly mode: CoreSnapshot['mode'];
	readonly clock: Clock;
	readonly url: string;
	readonly strategy: string;
	readonly strategyList: CoreSnapshot['strategies'];
	readonly proxy: PoolProxy;
	readonly activity: Activity;
	readonly scheduler: Scheduler;
	readonly inFlight: number;
	readonly storeDamage: CoreSnapshot['storeDamage'];
}): CoreSnapshot {
	const {clock, proxy, activity} = parts;
	const now = clock.now();
	const pool = proxy.pool;
	const accounts = pool.list().map((account) => {
		const id = account.record.id;
		return accountSnapshot(account, now, pool.usableAt(id), pool.isUsable(id), activity.forecast);
	});
	return {
		mode: parts.mode,
		now,
		clockSpeed: clock.speed,
		proxyUrl: parts.url,
		strategy: parts.strategy,
		strategies: parts.strategyList,
		accounts,
		sessions: proxy.sessions.snapshots(),
		requests: activity.requests.items,
		notices: activity.notices.items,
		scheduler: planOnShow(parts.scheduler.getPlan(), accounts),
		totals: activity.totals(),
		inFlight: parts.inFlight,
		storeDamage: parts.storeDamage,
	};
}
