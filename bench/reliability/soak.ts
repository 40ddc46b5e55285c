import {mkdtempSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {monitorEventLoopDelay} from 'node:perf_hooks';
import {Agent, request} from 'undici';
import {createScaledClock} from '../../source/core/clock.ts';
import {importSimulatedAccounts} from '../../source/core/demo/seed-home.ts';
import {createRandom} from '../../source/core/random.ts';
import {openStore} from '../../source/core/store/store.ts';
import type {Settings} from '../../source/core/store/types.ts';
import {FAULT_KINDS, type FaultyUpstream, startFaultyUpstream} from '../../test/helpers/faults.ts';
import {type ChaosCounts, soakFaults, startChaos} from './chaos.ts';
import {runLoad} from './load.ts';
import {openConnections, residentBytes} from './proc.ts';
import {startProxyChild} from './proxy-child.ts';
import {type AttemptFigures, analyseAttempts, analyseRequestLog, type LogFigures} from './soak-analysis.ts';

export type SoakOptions = {
	readonly requests: number;
	readonly concurrency: number;
	readonly accounts?: number;
	readonly seed?: number;
	/** Clock speed of upstream and proxy (so 5-hour usage limits end within the run). Default 600. */
	readonly speed?: number;
	/** Share of requests the client abandons after the first chunk of the answer (default 0.01). */
	readonly abortRate?: number;
	/** Multiplies every fault's chance (default 1). */
	readonly faultScale?: number;
	/**
	Also inject each model-request fault kind once, one after another, spread over the first half of the run: a
	short run then sees every kind whatever the dice say.
	*/
	readonly everyKindOnce?: boolean;
	readonly actionEveryMs?: number;
	/** A `/healthz` poll not answered within this many ms counts as a failure (default 3000). */
	readonly healthTimeoutMs?: number;
	/**
	After the load, wait this long (real ms) before counting sockets a second time: past the pool's keep-alive
	timeout (30 s) only the connections the background work (usage polls) keeps using may remain.
	*/
	readonly idleWaitMs?: number;
	readonly expireEveryMs?: number;
	/** Settings of the pool's store (default: the product's), e.g. `{upstreamWebSocket: false}`. */
	readonly settings?: Partial<Settings>;
	/** Progress lines. */
	readonly log?: (line: string) => void;
};

export type SoakReport = {
	readonly requests: number;
	readonly concurrency: number;
	readonly accounts: number;
	readonly durationMs: number;
	/** Faults the upstream injected, by kind (model requests and token refreshes together). */
	readonly faults: Record<string, number>;
	/** Faults on `/oauth/token` only. */
	readonly tokenFaults: number;
	readonly chaos: ChaosCounts;
	readonly outcomes: {completed: number; error: number; broken: number; aborted: number};
	/** Count per outcome label (`completed`, `429 usage_limit_reached`, `stream response.failed`...). */
	readonly labels: Record<string, number>;
	/** Up to 10 broken answers, to say what went wrong. */
	readonly brokenSamples: {id: number; shape: string; status: number; label: string; detail?: string}[];
	readonly attempts: AttemptFigures;
	readonly log: LogFigures;
	readonly refreshes: {issued: number; reused: number; unknown: number};
	readonly rss: {firstHalfPeak: number; secondHalfPeak: number; samples: number};
	readonly healthz: {polls: number; failures: number; maxMs: number; reasons: Record<string, number>};
	/** The proxy's own worst and 99th-percentile event-loop delay (ms) over the run. */
	readonly proxyLoopDelay: {maxMs: number; p99Ms: number};
	/** The bench process's own worst event-loop delay (ms): a slow poll may be ours, not the proxy's. */
	readonly benchLoopDelayMaxMs: number;
	/** At the end, once idle: the proxy's TCP connections to the upstream, and the upstream's from it. */
	readonly sockets: {
		proxyToUpstream: number | undefined;
		upstreamFromProxy: number | undefined;
		inFlight: number;
		/** After `idleWaitMs`, when asked for. */
		afterIdle: number | undefined;
		/** WebSocket connections the upstream holds open from the proxy, when the load ended and after `idleWaitMs`. */
		webSockets: number;
		webSocketsAfterIdle: number | undefined;
	};
	/** Model requests the upstream saw as WebSocket frames and as POSTs, and WebSocket handshakes it accepted. */
	readonly upstreamTransport: {frames: number; posts: number; handshakes: number};
	/** Whatever the proxy process wrote on stdout/stderr. */
	readonly proxyOutput: string;
	readonly proxyExitCode: number | null;
	/** Tokens known to the upstream (every access token presented, every refresh token issued) and how many the proxy's output, request log, notices or moves contained (must be 0). */
	readonly secrets: {searched: number; seen: number};
};

/** Every access token the upstream was shown, every refresh token it issued, and each account's current id token. */
function knownSecrets(upstream: FaultyUpstream): Set<string> {
	const secrets = new Set<string>(upstream.refreshTokens().uses.keys());
	for (const account of upstream.accounts.list()) {
		secrets.add(account.tokens.accessToken).add(account.tokens.idToken).add(account.tokens.refreshToken);
	}

	for (const entry of upstream.log) {
		const bearer = /^Bearer (.+)$/.exec(String(entry.headers.authorization ?? ''))?.[1];
		if (bearer !== undefined) {
			secrets.add(bearer);
		}
	}

	return secrets;
}

/**
Runs the soak: a simulated upstream (in this process) injecting every fault kind, the pool in its own process
(so its memory and sockets are its own), the load, chaos on marks and tokens, a `/healthz` poll every 100 ms
and RSS samples every 100 ms. Everything it measures is in the report; `bench/soak.ts` and the reliability
test judge it.
*/
export async function runSoak(options: SoakOptions): Promise<SoakReport> {
	const log = options.log ?? (() => {});
	const seed = options.seed ?? 1;
	const speed = options.speed ?? 600;
	const accountCount = options.accounts ?? 6;
	const clockEpoch = Date.now();
	const clock = createScaledClock(speed, clockEpoch);
	const names = Array.from({length: accountCount}, (_, i) => `acct${i + 1}`);
	const upstream = await startFaultyUpstream({
		clock,
		seed,
		deltaCount: 24,
		accessTokenLifetimeMs: 2 * 3_600_000,
		logLimit: options.requests * 6 + 10_000,
		logBodies: false,
		accounts: names.map((name) => ({name, fiveHourLimit: 1e12, weeklyLimit: 1e13})),
	});
	const home = mkdtempSync(path.join(tmpdir(), 'codexpool-soak-'));
	const store = openStore(home);
	if (options.settings !== undefined) {
		store.setSettings(options.settings);
	}

	importSimulatedAccounts(store, upstream, clock.now());
	const accountNames = store.listAccounts().map((account) => account.name);
	const proxy = await startProxyChild({
		home,
		upstream: upstream.backendUrl,
		issuer: upstream.issuerUrl,
		speed,
		clockStart: clockEpoch,
		clockEpoch,
	});
	const upstreamPort = Number(new URL(upstream.url).port);
	log(`proxy ${proxy.url} (pid ${proxy.pid}), upstream ${upstream.url}, ${accountCount} accounts`);

	const random = createRandom(seed, 7);
	for (const fault of soakFaults(options.faultScale)) {
		upstream.faults.inject(fault);
	}

	const chaosCounts: ChaosCounts = {actions: {}, actionsRefused: 0, tokenExpiries: 0};
	const stopChaos = startChaos({
		proxyUrl: proxy.url,
		upstream,
		accountNames,
		random: createRandom(seed, 11),
		actionEveryMs: options.actionEveryMs ?? 400,
		expireEveryMs: options.expireEveryMs ?? 700,
		counts: chaosCounts,
	});

	const half = Math.floor(options.requests / 2);
	let done = 0;
	const rss = {first: 0, second: 0, samples: 0};
	const sampler = setInterval(() => {
		const bytes = residentBytes(proxy.pid);
		if (bytes !== undefined) {
			rss.samples++;
			if (done < half) {
				rss.first = Math.max(rss.first, bytes);
			} else {
				rss.second = Math.max(rss.second, bytes);
			}
		}
	}, 100);
	const healthTimeoutMs = options.healthTimeoutMs ?? 3000;
	const healthAgent = new Agent({connections: 4});
	const loopDelay = monitorEventLoopDelay({resolution: 20});
	loopDelay.enable();
	const health = {polls: 0, failures: 0, maxMs: 0, reasons: {} as Record<string, number>};
	const failed = (reason: string) => {
		health.failures++;
		health.reasons[reason] = (health.reasons[reason] ?? 0) + 1;
	};
	const healthTimer = setInterval(() => {
		const started = performance.now();
		health.polls++;
		request(`${proxy.url}/healthz`, {dispatcher: healthAgent, signal: AbortSignal.timeout(healthTimeoutMs)})
			.then(async (answer) => {
				const body = await answer.body.text();
				if (answer.statusCode !== 200 || !body.includes('"ok":true')) {
					failed(`status ${answer.statusCode}`);
				}
			})
			.catch((error: Error) => {
				failed(error.name === 'TimeoutError' ? `no answer within ${healthTimeoutMs} ms` : error.message);
			})
			.finally(() => {
				health.maxMs = Math.max(health.maxMs, performance.now() - started);
			});
	}, 100);

	// Over the first half of the run: later, injected usage limits may have rested every account, and a fault
	// armed while the proxy answers 429 without asking the upstream would never fire.
	const spacing = Math.max(1, Math.floor(options.requests / (2 * (FAULT_KINDS.length + 1))));
	// Four usage limits over the run, each on whichever account serves next.
	const usageLimitSpacing = Math.max(1, Math.floor(options.requests / 5));
	const started = performance.now();
	const results = await runLoad({
		url: proxy.url,
		total: options.requests,
		concurrency: options.concurrency,
		random,
		abortRate: options.abortRate ?? 0.01,
		onResult() {
			done++;
			if (done % usageLimitSpacing === 0) {
				upstream.faults.inject({kind: 'usage_limit_reached', times: 1});
			}

			if (options.everyKindOnce && done % spacing === 0 && done / spacing <= FAULT_KINDS.length) {
				upstream.faults.inject({kind: FAULT_KINDS[done / spacing - 1]!, times: 1, delayMs: 400});
			}

			if (done % Math.max(1, Math.floor(options.requests / 10)) === 0) {
				log(`${done}/${options.requests} requests, ${Math.round(performance.now() - started)} ms`);
			}
		},
	});
	const durationMs = performance.now() - started;
	await stopChaos();
	upstream.faults.clear();
	clearInterval(sampler);
	clearInterval(healthTimer);
	// The last request-log events cross the IPC channel; idle connections settle.
	await new Promise((resolve) => setTimeout(resolve, 500));

	const finalHealth = await request(`${proxy.url}/healthz`);
	const inFlight = ((await finalHealth.body.json()) as {inFlight?: number}).inFlight ?? -1;
	const sockets = {
		proxyToUpstream: openConnections(proxy.pid, upstreamPort, 'to'),
		upstreamFromProxy: openConnections(process.pid, upstreamPort, 'on'),
		inFlight,
		afterIdle: undefined as number | undefined,
		webSockets: upstream.websockets.openCount(),
		webSocketsAfterIdle: undefined as number | undefined,
	};
	if (options.idleWaitMs !== undefined) {
		log(`waiting ${options.idleWaitMs} ms for idle keep-alive connections to close`);
		await new Promise((resolve) => setTimeout(resolve, options.idleWaitMs));
		sockets.afterIdle = openConnections(proxy.pid, upstreamPort, 'to');
		sockets.webSocketsAfterIdle = upstream.websockets.openCount();
	}

	loopDelay.disable();
	const proxyStats = await proxy.stats();
	await healthAgent.close();

	const outcomes = {completed: 0, error: 0, broken: 0, aborted: 0};
	const labels: Record<string, number> = {};
	const brokenSamples: SoakReport['brokenSamples'] = [];
	for (const result of results) {
		outcomes[result.outcome.kind]++;
		labels[result.outcome.label] = (labels[result.outcome.label] ?? 0) + 1;
		if (result.outcome.kind === 'broken' && brokenSamples.length < 10) {
			brokenSamples.push({
				id: result.id,
				shape: result.shape,
				status: result.status,
				label: result.outcome.label,
				detail: result.outcome.detail,
			});
		}
	}

	const refreshStats = upstream.refreshTokens();
	const modelRequests = upstream.log.filter((entry) => entry.path === '/backend-api/codex/responses');
	const upstreamTransport = {
		frames: modelRequests.filter((entry) => entry.method === 'WS').length,
		posts: modelRequests.filter((entry) => entry.method === 'POST').length,
		handshakes: modelRequests.filter((entry) => entry.method === 'GET' && entry.status === 101).length,
	};
	const attempts = analyseAttempts(upstream.log, results);
	const requestLog = analyseRequestLog(proxy.requests, results);
	const tokenFaults = upstream.log.filter(
		(entry) => entry.path.startsWith('/oauth/token') && entry.fault !== undefined,
	).length;
	const faults = Object.fromEntries(
		Object.entries(upstream.faults.counts()).filter(([, count]) => count > 0),
	);
	const secrets = knownSecrets(upstream);
	const proxyExitCode = await proxy.stop();
	const emitted = [
		proxy.output(),
		JSON.stringify(proxy.requests),
		JSON.stringify(proxy.notices),
		JSON.stringify(proxy.moves),
	];
	const secretsSeen = [...secrets].filter((secret) => emitted.some((text) => text.includes(secret))).length;
	await upstream.close();
	rmSync(home, {recursive: true, force: true});

	return {
		requests: results.length,
		concurrency: options.concurrency,
		accounts: accountCount,
		durationMs,
		faults,
		tokenFaults,
		chaos: chaosCounts,
		outcomes,
		labels,
		brokenSamples,
		attempts,
		log: requestLog,
		refreshes: {
			issued: refreshStats.uses.size,
			reused: refreshStats.reused.length,
			unknown: refreshStats.unknown,
		},
		rss: {firstHalfPeak: rss.first, secondHalfPeak: rss.second, samples: rss.samples},
		healthz: health,
		proxyLoopDelay: {maxMs: proxyStats.loopDelayMaxMs, p99Ms: proxyStats.loopDelayP99Ms},
		benchLoopDelayMaxMs: loopDelay.max / 1e6,
		sockets,
		upstreamTransport,
		proxyOutput: proxy.output(),
		proxyExitCode,
		secrets: {searched: secrets.size, seen: secretsSeen},
	};
}
