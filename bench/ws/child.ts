/*
A child process of `npm run bench:ws`: the pool alone (createPoolProxy, as `serve` runs it minus the store, the
token manager and the admin API) or the minimal relay, so that the load generator and the simulated upstream
(the parent) do not share an event loop with what is measured. Started with `--expose-gc`; the parent sends the
setup, the child answers `{url}`; `{memory: true}` answers the heap and RSS after two full collections.
*/
import v8 from 'node:v8';
import {systemClock} from '../../source/core/clock.ts';
import {createAccessPolicy} from '../../source/core/http/access.ts';
import {createHttpServer} from '../../source/core/http/server.ts';
import {createCodexRoutes} from '../../source/core/proxy/codex-routes.ts';
import {createPoolProxy} from '../../source/core/proxy/index.ts';
import {createRandom} from '../../source/core/random.ts';
import type {AccountRecord} from '../../source/core/store/types.ts';
import {startMinimalRelay} from './relay.ts';

export type ChildSetup = {
	readonly mode: 'pool' | 'relay';
	/** `http://127.0.0.1:PORT/backend-api` of the simulated upstream. */
	readonly upstream: string;
	readonly records: AccountRecord[];
	/** V8 flags set at run time, as the bin sets them for `serve` (empty for none). */
	readonly v8Flags: string;
};

export type ChildMemory = {readonly rss: number; readonly heapUsed: number; readonly external: number};

const setup = await new Promise<ChildSetup>((resolve) =>
	process.once('message', (m) => resolve(m as ChildSetup)),
);
if (setup.v8Flags) {
	v8.setFlagsFromString(setup.v8Flags);
}

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

const gc = (globalThis as {gc?: () => void}).gc;
process.on('message', async (message: {memory?: boolean; stop?: boolean}) => {
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
process.send?.({url});
