import {systemClock} from '../../source/core/clock.ts';
import type {ProxyEvents} from '../../source/core/proxy/events.ts';
import {createPoolProxy, type PoolProxy} from '../../source/core/proxy/index.ts';
import {createRandom} from '../../source/core/random.ts';
import {type SimulatedUpstream, startSimulatedUpstream} from '../../source/core/simulated-backend/index.ts';
import {type CodexExecResult, runCodexExec} from '../helpers/codex-cli.ts';
import {createTestTokens, recordFor} from '../proxy/harness.ts';
import {serveCodexRoutes} from '../proxy/serve.ts';

export type PoolHarness = {
	readonly upstream: SimulatedUpstream;
	readonly proxy: PoolProxy;
	readonly url: string;
	readonly events: {[K in keyof ProxyEvents]: ProxyEvents[K][0][]};
	readonly refreshes: () => number;
	/** chatgpt_account_id of an upstream account by name. */
	readonly id: (name: string) => string;
	/** The upstream account name of a chatgpt_account_id. */
	readonly nameOf: (accountId: string | undefined) => string | undefined;
	/** `codex exec` (the real CLI, custom provider, WebSocket on unless said) through the pool. */
	readonly codex: (prompt: string, websockets?: boolean) => Promise<CodexExecResult>;
	readonly close: () => Promise<void>;
};

/** The simulated upstream (WebSocket mode on) with `names` accounts, and the whole pool proxy in front of it. */
export async function startPoolHarness(
	names: readonly string[] = ['a', 'b'],
	options: {readonly upstreamWebSocket?: boolean} = {},
): Promise<PoolHarness> {
	const upstream = await startSimulatedUpstream({accounts: names.map((name) => ({name}))});
	const tokens = createTestTokens(upstream, names);
	const proxy = createPoolProxy({
		clock: systemClock,
		random: createRandom(1),
		records: names.map((name) => recordFor(upstream, name)),
		tokens: tokens.source,
		strategy: () => 'round-robin',
		upstream: upstream.backendUrl,
		upstreamWebSocket: () => options.upstreamWebSocket ?? true,
	});
	const served = await serveCodexRoutes({...proxy, clock: systemClock});
	const url = served.url;
	const events = {request: [], move: [], failover: [], notice: []} as unknown as PoolHarness['events'];
	proxy.events.on('request', (event) => events.request.push(event));
	proxy.events.on('move', (event) => events.move.push(event));
	proxy.events.on('failover', (event) => events.failover.push(event));
	proxy.events.on('notice', (event) => events.notice.push(event));
	const id = (name: string) => upstream.accounts.get(name).accountId;
	return {
		upstream,
		proxy,
		url,
		events,
		refreshes: tokens.refreshes,
		id,
		nameOf: (accountId) => names.find((name) => id(name) === accountId),
		// The client's own login is account a's: the pool never forwards it.
		codex: (prompt, websockets = true) =>
			runCodexExec({
				baseUrl: `${url}/backend-api`,
				authJson: upstream.accounts.authJson(names[0]!),
				prompt,
				websockets,
				tokenUrl: upstream.tokenUrl,
				timeoutMs: 60_000,
			}),
		async close() {
			await Promise.all([proxy.close(), served.close()]);
			await upstream.close();
		},
	};
}

/** Each upstream connection as `account: [warm|gen] items/fullItems [+prev] outcome, ...`. */
export function upstreamShape(upstream: SimulatedUpstream): string[] {
	return upstream.websockets
		.connections()
		.map(
			(connection) =>
				`${connection.account}: ${connection.requests
					.map(
						(request) =>
							`${request.generate ? 'gen' : 'warm'} ${request.items}/${request.fullItems}${request.previousResponseId ? ' +prev' : ''} ${request.outcome}`,
					)
					.join(', ')}`,
		);
}

/** Upstream POSTs of model requests (none while everything rides WebSocket). */
export function upstreamPosts(upstream: SimulatedUpstream): number {
	return upstream.log.filter(
		(entry) => entry.method === 'POST' && entry.path === '/backend-api/codex/responses',
	).length;
}

/** Each upstream `response.create` as `account: the issuer of its turn state ('-' for none)`. */
export function upstreamTurnStates(upstream: SimulatedUpstream): string[] {
	return upstream.log
		.filter((entry) => entry.method === 'WS')
		.map((entry) => {
			const value = (entry.body as {client_metadata?: Record<string, unknown>}).client_metadata?.[
				'x-codex-turn-state'
			];
			return `${entry.account}: ${typeof value === 'string' ? (upstream.issuerOf(value) ?? 'unknown') : '-'}`;
		});
}
