import {EventEmitter} from 'node:events';
import {createAdminRoutes} from './admin/routes.ts';
import {authIssuer} from './auth/oauth-client.ts';
import {type TokenEvent, TokenManager} from './auth/token-manager.ts';
import {type Clock, systemClock} from './clock.ts';
import type {
	Core,
	CoreEvents,
	CoreSnapshot,
	Notice,
	NoticeLevel,
	RequestLogEntry,
	Totals,
} from './contract.ts';
import {createCoreActions} from './core-actions.ts';
import {BurnForecast} from './forecast.ts';
import {startRequestHistory} from './history/attach.ts';
import {createPoolKeys} from './keys/pool-keys.ts';
import {createOpenAiFrontDoor} from './openai/front-door.ts';
import {createPoolProxy, DEFAULT_UPSTREAM, type PoolProxy} from './proxy/index.ts';
import type {ProxyRoute} from './proxy/server.ts';
import {parseQuotaHeaders} from './quota/parse-headers.ts';
import {createRandom, type Random} from './random.ts';
import {Ring} from './ring.ts';
import {createScheduler, type Scheduler, type SchedulerEvent} from './scheduler/index.ts';
import {createKickSender} from './scheduler/kick-request.ts';
import {accountSnapshot} from './snapshot-builder.ts';
import {createSnapshotPublisher} from './snapshot-publisher.ts';
import type {Store} from './store/store.ts';
import {strategies} from './strategies/index.ts';
import {type HttpsMirror, listenHttpsMirror} from './tls/https-mirror.ts';
import {openAiWebSocketRoute} from './ws/openai-route.ts';

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
};

const loopbackHosts = new Set(['127.0.0.1', 'localhost', '::1']);

/** Beyond loopback every client must present a pool key: refuse to listen there otherwise. */
export function assertBindAllowed(host: string, store: Pick<Store, 'getSettings' | 'getKeys'>): void {
	if (!loopbackHosts.has(host) && (!store.getSettings().requireKey || store.getKeys().length === 0)) {
		throw new Error(
			`Refusing to listen on ${host}: beyond loopback, every client must present a pool key. ` +
				'Create one with `codexpool keys create`, then `codexpool keys require on`, and start again.',
		);
	}
}

/**
The whole pool in this process: the proxy (Codex and OpenAI-compatible routes), the admin API, the token
manager, usage polling and the staggering scheduler, all behind the one `Core` object the TUI and the admin
API use. Listens before it resolves.
*/
export async function startEmbeddedCore(options: EmbeddedCoreOptions): Promise<EmbeddedCore> {
	const {store} = options;
	const clock = options.clock ?? systemClock;
	const random = options.random ?? createRandom(Date.now() >>> 0);
	const host = options.host ?? '127.0.0.1';
	const settings = store.getSettings();
	assertBindAllowed(host, store);

	const emitter = new EventEmitter<CoreEvents>();
	const requests = new Ring<RequestLogEntry>(200);
	const notices = new Ring<Notice>(50);
	const forecast = new BurnForecast();
	const totals: {-readonly [K in keyof Totals]: Totals[K]} = {
		requests: 0,
		inputTokens: 0,
		outputTokens: 0,
		sessions: 0,
		moves: 0,
		failovers: 0,
	};
	let noticeCount = 0;
	// Filled in below; the publisher needs a builder before the parts exist.
	let build: () => CoreSnapshot = () => {
		throw new Error('The core is not built yet.');
	};

	const publisher = createSnapshotPublisher(() => build());
	const notify = (level: NoticeLevel, message: string) => {
		const notice: Notice = {id: `n${++noticeCount}`, at: clock.now(), level, message};
		notices.push(notice);
		emitter.emit('notice', notice);
		publisher.markDirty();
	};

	const tokens = new TokenManager({
		store,
		issuer: options.issuer ?? authIssuer(process.env),
		clock,
		onEvent: (event) => notifyToken(event, store, notify),
	});
	const upstream = options.upstream ?? process.env.CODEXPOOL_UPSTREAM ?? DEFAULT_UPSTREAM;
	const keys = createPoolKeys(store, {clock});
	const lateRoutes: ProxyRoute[] = [];
	const proxy = createPoolProxy({
		clock,
		random,
		records: store.listAccounts(),
		tokens,
		strategy: () => store.getSettings().strategy,
		strategyOptions: () => store.getSettings().strategyOptions,
		upstream,
		waitUpToMs: options.waitUpToMs,
		maxBodyBytes: settings.maxBodyBytes,
		maxWebSockets: () => store.getSettings().maxWebSockets,
		// The /v1 and admin routes need the engine, which exists only once the proxy does.
		routes: [
			{
				path: /^\/(v1|api)(\/|$)/,
				handle: async (request, response, url) => routeLate(lateRoutes, request, response, url),
			},
		],
		authorize: (request, url) => {
			if (loopbackHosts.has(host) && !store.getSettings().requireKey) {
				return undefined;
			}

			if (!url.pathname.startsWith('/backend-api/')) {
				return undefined;
			}

			const presented = request.headers.authorization?.replace(/^Bearer\s+/i, '') ?? '';
			return keys.verify(presented) === undefined
				? 'This pool requires a pool key: Authorization: Bearer cxp_…'
				: undefined;
		},
	});
	const sendKickRequest = createKickSender({
		backendUrl: upstream,
		getAccessToken: async (id) => tokens.getAccessToken(id),
		clock,
	});
	// A kick's answer carries the usage headers: the window it started shows at once, not at the next poll.
	const sendKick = async (accountId: string) => {
		const outcome = await sendKickRequest(accountId);
		const quota = parseQuotaHeaders(outcome.rateLimitHeaders, clock.now());
		if (quota !== undefined) {
			proxy.pool.observeQuota(accountId, quota);
		}

		return outcome;
	};
	const names = () => new Map(store.listAccounts().map((record) => [record.id, record.name]));
	const scheduler = createScheduler({
		clock,
		random,
		settings: settings.scheduler,
		getAccounts: () => {
			const byId = names();
			return proxy.pool.views().map((view) => ({...view, name: byId.get(view.id)}));
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
		onEvent: (event) => onSchedulerEvent(event, emitter, notify, publisher.markDirty),
	});

	const actions = createCoreActions({store, proxy, scheduler, sendKick, notify, flush: publisher.flush});
	const core: Core = {
		...actions,
		subscribe: publisher.subscribe,
		getSnapshot: publisher.getSnapshot,
		on(event, listener) {
			emitter.on(event, listener as never);
			return () => emitter.off(event, listener as never);
		},
		stop: async () => {},
	};
	proxy.webSockets.mount(
		openAiWebSocketRoute({
			engine: proxy.engine,
			pool: proxy.pool,
			keys,
			settings: () => store.getSettings(),
			clock,
			bindHost: host,
		}),
	);
	lateRoutes.push(
		...createOpenAiFrontDoor({engine: proxy.engine, pool: proxy.pool, store, clock, bindHost: host}),
		{
			path: /^\/api\//,
			handle: async (request, response, url) => void (await admin(request, response, url.pathname)),
		},
	);
	const admin = createAdminRoutes({core, adminToken: options.adminToken});
	const history = startRequestHistory({
		on: core.on,
		home: store.home,
		now: () => clock.now(),
		lookup: (id) => {
			const account = proxy.pool.get(id);
			return account && {plan: account.record.plan, quota: account.quota};
		},
		onError: (error) => notify('warn', `Could not write the request history: ${String(error)}`),
	});

	const seenSessions = new Set<string>();
	proxy.events.on('request', (entry) => {
		requests.push(entry);
		totals.requests++;
		totals.inputTokens += entry.inputTokens;
		totals.outputTokens += entry.outputTokens;
		if (entry.sessionId !== undefined && !seenSessions.has(entry.sessionId)) {
			// Bounded: after a long run a session seen long ago may count twice, which a total can afford.
			if (seenSessions.size > 50_000) {
				seenSessions.clear();
			}

			seenSessions.add(entry.sessionId);
			totals.sessions++;
		}

		emitter.emit('request', entry);
		publisher.markDirty();
	});
	proxy.events.on('move', (move) => {
		totals.moves++;
		emitter.emit('move', move);
		notify(
			'info',
			`Session ${move.sessionId.slice(0, 8)} moved from ${nameOf(move.from)} to ${nameOf(move.to)}: ${move.reason}.`,
		);
	});
	proxy.events.on('failover', (failover) => {
		totals.failovers++;
		notify('warn', `Failed over from ${nameOf(failover.from)}: ${failover.reason}.`);
	});
	proxy.events.on('notice', (notice) => notify(notice.level, notice.message));
	const nameOf = (id: string) => names().get(id) ?? id;

	// The pool changes several times per request (picked, running, quota); the forecast needs only new readings.
	const forecastSeen = new Map<string, unknown>();
	const stopPoolWatch = proxy.pool.onChange(() => {
		for (const account of proxy.pool.list()) {
			const quota = account.quota;
			if (quota !== undefined && forecastSeen.get(account.record.id) !== quota) {
				forecastSeen.set(account.record.id, quota);
				forecast.observe(
					account.record.id,
					quota.observedAt,
					quota.fiveHour?.usedPercent,
					quota.weekly?.usedPercent,
				);
			}
		}

		publisher.markDirty();
	});
	const stopStoreListen = store.onDidChange(() => {
		proxy.pool.setRecords(store.listAccounts());
		scheduler.updateSettings(store.getSettings().scheduler);
		publisher.markDirty();
	});
	const stopStoreWatch = options.watchStore === false ? () => {} : store.watch();

	// Model requests from the moment they arrive (a request still waiting for its first byte counts too), for
	// the header and for "quit now would cut streams".
	let modelRequestsInFlight = 0;
	proxy.server.server.on('request', (request, response) => {
		if (!/^\/(backend-api\/codex|v1)\//.test(request.url ?? '')) {
			return;
		}

		modelRequestsInFlight++;
		publisher.markDirty();
		response.once('close', () => {
			modelRequestsInFlight--;
			publisher.markDirty();
		});
	});

	let url: string;
	let mirror: HttpsMirror | undefined;
	try {
		url = await proxy.server.listen(options.port ?? 4455, host);
		if (options.tls !== undefined) {
			mirror = await listenHttpsMirror(proxy.server.server, options.tls, options.tls.port);
		}
	} catch (error) {
		// Nothing may keep running (and keep the process alive) when the core could not start.
		stopStoreListen();
		stopStoreWatch();
		stopPoolWatch();
		publisher.stop();
		await scheduler.stop();
		await proxy.close().catch(() => undefined);
		throw error;
	}

	const strategyList = Object.values(strategies).map(({name, description}) => ({name, description}));
	build = () => {
		const now = clock.now();
		const pool = proxy.pool;
		const sessions = proxy.sessions.snapshots();
		return {
			mode: options.mode ?? 'embedded',
			now,
			clockSpeed: clock.speed,
			proxyUrl: url,
			strategy: store.getSettings().strategy,
			strategies: strategyList,
			accounts: pool.list().map((account) => {
				const id = account.record.id;
				return accountSnapshot(account, now, pool.usableAt(id), pool.isUsable(id), forecast);
			}),
			sessions,
			requests: requests.items,
			notices: notices.items,
			scheduler: scheduler.getPlan(),
			totals: {...totals},
			inFlight: modelRequestsInFlight,
		};
	};

	publisher.flush();
	// Read every account's usage at once, so the first screen shows bars rather than dashes.
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
		async stop() {
			await mirror?.close();
			stopPolling();
			stopPoolWatch();
			stopStoreListen();
			stopStoreWatch();
			publisher.stop();
			await scheduler.stop();
			await proxy.close();
			await history.stop();
		},
	};
}

async function routeLate(
	routes: readonly ProxyRoute[],
	request: Parameters<ProxyRoute['handle']>[0],
	response: Parameters<ProxyRoute['handle']>[1],
	url: URL,
): Promise<void> {
	const route = routes.find(
		(candidate) =>
			(candidate.method === undefined || candidate.method === request.method) &&
			(typeof candidate.path === 'string'
				? candidate.path === url.pathname
				: candidate.path.test(url.pathname)),
	);
	if (route === undefined) {
		response.writeHead(404, {'content-type': 'application/json'});
		response.end(
			JSON.stringify({
				error: {type: 'not_found', message: `codexpool does not serve ${request.method} ${url.pathname}.`},
			}),
		);
		return;
	}

	await route.handle(request, response, url);
}

function notifyToken(
	event: TokenEvent,
	store: Store,
	notify: (level: NoticeLevel, message: string) => void,
): void {
	const name = store.getAccount(event.accountId)?.name ?? event.accountId;
	if (event.type === 'needs-login') {
		notify('error', `${name} needs a new login: ${event.message}`);
	} else if (event.type === 'refresh-failed') {
		notify('warn', `Could not refresh the token of ${name}: ${event.message}`);
	}
}

function onSchedulerEvent(
	event: SchedulerEvent,
	emitter: EventEmitter<CoreEvents>,
	notify: (level: NoticeLevel, message: string) => void,
	markDirty: () => void,
): void {
	if (event.type === 'kick') {
		emitter.emit('kick', event.kick);
		notify(
			event.kick.ok ? 'info' : 'warn',
			`${event.kick.dryRun ? 'Dry-run kick' : 'Kick'}: ${event.kick.detail}`,
		);
	} else if (event.type === 'error') {
		notify('warn', `Scheduler ${event.job} failed: ${event.message}`);
	} else {
		markDirty();
	}
}
