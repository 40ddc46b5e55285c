/*
A child process of `npm run bench:ws`: the pool alone (createPoolProxy, as `serve` runs it minus the store, the
token manager and the admin API) or the minimal relay, so that the load generator and the simulated upstream
(the parent) do not share an event loop with what is measured. Started with `--expose-gc`; the parent sends the
setup, the child answers `{url}`; `{memory: true}` answers the heap and RSS after two full collections; `{trace}`
turns the hold times (hold-times.ts) on or off, `{holds: true}` answers them.
*/
import {constants, PerformanceObserver} from 'node:perf_hooks';
import v8 from 'node:v8';
import {systemClock} from '../../source/core/clock.ts';
import {createAccessPolicy} from '../../source/core/http/access.ts';
import {createHttpServer} from '../../source/core/http/server.ts';
import {createCodexRoutes} from '../../source/core/proxy/codex-routes.ts';
import {createPoolProxy} from '../../source/core/proxy/index.ts';
import {createRandom} from '../../source/core/random.ts';
import type {AccountRecord} from '../../source/core/store/types.ts';
import {capYoungGeneration} from '../young-generation-cap.js';
import {traceHoldTimes} from './hold-times.ts';
import {startMinimalRelay} from './relay.ts';

export type ChildSetup = {
	readonly mode: 'pool' | 'relay';
	/** `http://127.0.0.1:PORT/backend-api` of the simulated upstream. */
	readonly upstream: string;
	readonly records: AccountRecord[];
	/** V8 flags set at run time, as the bin sets them for `serve` (empty for none). */
	readonly v8Flags: string;
	/** Caps the young generation at this many MB per semi-space (bench/young-generation-cap.js). */
	readonly youngCapMb?: number | undefined;
};

/** The child's CPU and garbage collections so far (`{gc: true}` answers it). */
export type ChildWork = {
	readonly cpuMs: number;
	readonly minor: number;
	readonly minorMs: number;
	readonly major: number;
	readonly majorMs: number;
};

export type ChildMemory = {readonly rss: number; readonly heapUsed: number; readonly external: number};

const setup = await new Promise<ChildSetup>((resolve) =>
	process.once('message', (m) => resolve(m as ChildSetup)),
);
if (setup.v8Flags) {
	v8.setFlagsFromString(setup.v8Flags);
}

if (setup.youngCapMb !== undefined) {
	capYoungGeneration(setup.youngCapMb);
}

// Every collection, counted (what the flags trade: more, smaller young-generation collections).
const work = {minor: 0, minorMs: 0, major: 0, majorMs: 0};
new PerformanceObserver((list) => {
	for (const entry of list.getEntries()) {
		if ((entry as {detail?: {kind?: number}}).detail?.kind === constants.NODE_PERFORMANCE_GC_MINOR) {
			work.minor++;
			work.minorMs += entry.duration;
		} else {
			work.major++;
			work.majorMs += entry.duration;
		}
	}
}).observe({entryTypes: ['gc']});

let url: string;
let close: () => Promise<void> | void;
if (setup.mode === 'pool') {
	const tokens = new Map(setup.records.map((record) => [record.id, record.tokens.accessToken]));
	const proxy = createPoolProxy({
		clock: systemClock,
		random: createRandom(1),
		records: setup.records,
		tokens: {
			getAccessToken: async (id) => tokens.get(id) ?? '',
			refreshAfter401: async (id) => tokens.get(id) ?? '',
		},
		strategy: () => 'round-robin',
		upstream: setup.upstream,
		maxWebSockets: () => 4096,
	});
	// The product's server, access policy and Codex routes (the WebSocket upgrade among them).
	const inFlight = proxy.inFlight;
	const server = createHttpServer({
		routes: createCodexRoutes({
			engine: proxy.engine,
			pool: proxy.pool,
			clock: systemClock,
			inFlight,
			webSockets: proxy.webSockets,
		}),
		access: createAccessPolicy({
			bindHost: '127.0.0.1',
			keys: {verify: () => undefined},
			settings: () => ({requireKey: false, allowedOrigins: []}),
		}),
		inFlight,
	});
	url = await server.listen();
	close = async () => {
		await Promise.all([proxy.close(), server.close()]);
	};
} else {
	const relay = await startMinimalRelay(
		`${setup.upstream.replace(/^http/, 'ws')}/codex/responses`,
		setup.records.map((record) => ({
			authorization: `Bearer ${record.tokens.accessToken}`,
			'chatgpt-account-id': record.id,
		})),
	);
	url = relay.url.replace(/^ws/, 'http');
	close = relay.close;
}

const holds = traceHoldTimes();
const gc = (globalThis as {gc?: () => void}).gc;
type Message = {memory?: boolean; gc?: boolean; stop?: boolean; trace?: boolean; holds?: boolean};
process.on('message', async (message: Message) => {
	if (message.trace !== undefined) {
		holds.trace(message.trace);
	}

	if (message.holds) {
		process.send?.(holds.take());
	}

	if (message.gc) {
		const {user, system} = process.cpuUsage();
		process.send?.({...work, cpuMs: (user + system) / 1000} satisfies ChildWork);
	}

	if (message.memory) {
		gc?.();
		gc?.();
		const usage = process.memoryUsage();
		process.send?.({
			rss: usage.rss,
			heapUsed: usage.heapUsed,
			external: usage.external,
		} satisfies ChildMemory);
	}

	if (message.stop) {
		await close();
		process.exit(0);
	}
});
// A parent that died (a failed run) takes its children with it, instead of leaving them holding its stdout.
process.once('disconnect', () => process.exit(1));
process.send?.({url});
