import {once} from 'node:events';
import WebSocket from 'ws';
import {systemClock} from '../../source/core/clock.ts';
import type {AccessSettings} from '../../source/core/http/access.ts';
import type {PoolKeys} from '../../source/core/keys/pool-keys.ts';
import {noMarks} from '../../source/core/model.ts';
import {webSocketUpgradeRoute} from '../../source/core/proxy/codex-routes.ts';
import type {ProxyEvents} from '../../source/core/proxy/events.ts';
import {createPoolProxy, type PoolProxy} from '../../source/core/proxy/index.ts';
import type {TokenSource} from '../../source/core/proxy/upstream-client.ts';
import {createRandom} from '../../source/core/random.ts';
import type {AccountRecord} from '../../source/core/store/types.ts';
import {serveCodexRoutes} from '../proxy/serve.ts';
import {startFakeUpstream} from './fake-upstream.ts';

export function record(id: string): AccountRecord {
	return {
		id,
		name: id,
		email: `${id}@example.com`,
		plan: 'plus',
		tokens: {idToken: 'x', accessToken: `tok-${id}-1`, refreshToken: `r-${id}`, lastRefresh: undefined},
		marks: noMarks,
		needsLogin: undefined,
		addedAt: 0,
	};
}

/** Tokens `tok-<id>-<n>`; a refresh bumps n. */
export function fakeTokens(ids: readonly string[]) {
	const current = new Map(ids.map((id) => [id, 1]));
	let refreshes = 0;
	const source: TokenSource = {
		getAccessToken: async (id) => `tok-${id}-${current.get(id)}`,
		async refreshAfter401(id, failed) {
			if (failed === `tok-${id}-${current.get(id)}`) {
				refreshes++;
				current.set(id, (current.get(id) ?? 1) + 1);
			}

			return `tok-${id}-${current.get(id)}`;
		},
	};
	return {source, refreshes: () => refreshes, current: (id: string) => `tok-${id}-${current.get(id)}`};
}

export type RelayHarness = Awaited<ReturnType<typeof startRelayHarness>>;

/** A pool proxy (accounts `ids`, round-robin) in front of the tiny upstream, both on 127.0.0.1. */
export async function startRelayHarness(
	ids: readonly string[],
	options: {
		behaviour?: Parameters<typeof startFakeUpstream>[0];
		maxWebSockets?: number;
		waitUpToMs?: number;
		/** The access policy's keys and settings (default: loopback, no key required). */
		keys?: Pick<PoolKeys, 'verify'>;
		settings?: () => AccessSettings;
	} = {},
) {
	const upstream = await startFakeUpstream(options.behaviour);
	const tokens = fakeTokens(ids);
	const proxy: PoolProxy = createPoolProxy({
		clock: systemClock,
		random: createRandom(1),
		records: ids.map(record),
		tokens: tokens.source,
		strategy: () => 'round-robin',
		upstream: upstream.backendUrl,
		waitUpToMs: options.waitUpToMs,
		maxWebSockets: options.maxWebSockets === undefined ? undefined : () => options.maxWebSockets!,
	});
	// The product's Codex routes (with their WebSocket upgrade) and `/v1/responses`'s upgrade route.
	const served = await serveCodexRoutes(
		{...proxy, clock: systemClock},
		{
			extra: [webSocketUpgradeRoute('openai', '/v1/responses', proxy.webSockets)],
			keys: options.keys,
			settings: options.settings,
		},
	);
	const url = served.url;
	const events = {request: [], move: [], failover: [], notice: []} as unknown as {
		[K in keyof ProxyEvents]: ProxyEvents[K][0][];
	};
	proxy.events.on('request', (event) => events.request.push(event));
	proxy.events.on('move', (event) => events.move.push(event));
	proxy.events.on('failover', (event) => events.failover.push(event));
	return {
		upstream,
		proxy,
		tokens,
		events,
		wsUrl: `${url.replace('http', 'ws')}/backend-api/codex/responses`,
		/** Node's server (the HTTPS mirror takes its listeners). */
		nodeServer: served.server.nodeServer,
		async close() {
			await Promise.all([proxy.close(), served.close()]);
			await upstream.close();
		},
	};
}

/** A client WebSocket on the pool that sends one frame at a time and collects the frames of its answer. */
export async function connectClient(url: string, headers: Record<string, string> = {'session-id': 'sess-1'}) {
	const socket = new WebSocket(url, {headers});
	const frames: Record<string, unknown>[] = [];
	let waiter: (() => void) | undefined;
	socket.on('message', (data) => {
		frames.push(JSON.parse(data.toString()) as Record<string, unknown>);
		waiter?.();
	});
	let upgradeHeaders: Record<string, string | string[] | undefined> = {};
	socket.once('upgrade', (response) => {
		upgradeHeaders = response.headers;
	});
	await once(socket, 'open');
	const closed = once(socket, 'close');
	return {
		socket,
		frames,
		closed,
		/** The pool's upgrade response headers. */
		get upgradeHeaders() {
			return upgradeHeaders;
		},
		/** Sends a `response.create` and resolves with its answer's frames (up to completed/failed/error). */
		async request(body: Record<string, unknown>): Promise<Record<string, unknown>[]> {
			const start = frames.length;
			socket.send(JSON.stringify({type: 'response.create', ...body}));
			for (;;) {
				const answer = frames.slice(start);
				if (
					answer.some((frame) =>
						['response.completed', 'response.failed', 'error'].includes(String(frame.type)),
					)
				) {
					return answer;
				}

				await new Promise<void>((resolve) => {
					waiter = resolve;
				});
			}
		},
	};
}

export function userItem(text: string) {
	return {type: 'message', role: 'user', content: [{type: 'input_text', text}]};
}

export const baseFields = {
	model: 'gpt-5.5',
	stream: true,
	store: false,
	include: ['reasoning.encrypted_content'],
};
