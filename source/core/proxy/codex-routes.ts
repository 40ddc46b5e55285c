import type {IncomingMessage, ServerResponse} from 'node:http';
import type {Clock} from '../clock.ts';
import {readJsonRequest} from '../http/body.ts';
import {clientName} from '../http/client.ts';
import type {InFlightCount} from '../http/in-flight.ts';
import {endSocketWithRefusal, sendJson, sendRefusal} from '../http/reply.ts';
import type {Door, Route} from '../http/route.ts';
import type {Pool} from '../pool/pool.ts';
import type {WebSocketFrontDoor} from '../ws/front-door.ts';
import type {Engine} from './dispatch.ts';
import {flattenHeaders} from './headers.ts';
import {pooledUsage} from './pooled-usage.ts';
import {clientGoneSignal, sendDispatchResult} from './respond.ts';

export type CodexRoutesOptions = {
	readonly engine: Engine;
	readonly pool: Pool;
	readonly clock: Clock;
	/** How long a model list fetched from the upstream is served from memory (clock ms; default 5 min). */
	readonly modelsCacheMs?: number;
	/** The largest body accepted, read on every request (settings.maxBodyBytes); default 32 MiB. */
	readonly maxBodyBytes?: () => number;
	/** The pool's one in-flight count, which `/healthz` shows. */
	readonly inFlight: InFlightCount;
	/** Takes Codex's WebSocket upgrades on the responses path; without it they are answered 426. */
	readonly webSockets?: Pick<WebSocketFrontDoor, 'handleUpgrade'>;
};

type CachedModels = {
	readonly at: number;
	readonly status: number;
	readonly headers: Record<string, string>;
	readonly text: string;
};

/**
Codex CLI's own paths (`architecture.md`, HTTP contract): responses (SSE), compaction, the model list, the
pooled usage, workspace discovery and liveness.
*/
export function createCodexRoutes(options: CodexRoutesOptions): Route[] {
	const {engine, pool, clock, inFlight, webSockets} = options;
	const modelsCacheMs = options.modelsCacheMs ?? 5 * 60_000;
	const modelsCache = new Map<string, CachedModels>();

	const forward = (path: string) => async (request: IncomingMessage, response: ServerResponse) => {
		const {body, zstd} = await readJsonRequest(request, {maxBytes: options.maxBodyBytes?.()});
		const signal = clientGoneSignal(request, response);
		const result = await engine.dispatch({
			path,
			body,
			sentZstd: zstd,
			headers: flattenHeaders(request.headers),
			signal,
			client: clientName(request),
		});
		await sendDispatchResult(response, result);
	};

	const fetchModels = async (search: string, headers: Record<string, string | undefined>) => {
		// Entries are passed through unchanged: Codex drops the whole list if one entry lacks a field.
		const candidates = pool
			.list()
			.map((account) => account.record.id)
			.sort((a, b) => Number(pool.isUsable(b)) - Number(pool.isUsable(a)));
		for (const accountId of candidates) {
			const answer = await engine.get(accountId, `/codex/models${search}`, headers);
			if (answer === undefined || answer.status !== 200) {
				continue;
			}

			const cachedHeaders: Record<string, string> = {
				'content-type': answer.headers['content-type'] ?? 'application/json',
			};
			if (answer.headers.etag !== undefined) {
				cachedHeaders.etag = answer.headers.etag;
			}

			const entry = {at: clock.now(), status: 200, headers: cachedHeaders, text: answer.text};
			modelsCache.set(search, entry);
			return entry;
		}

		return undefined;
	};

	// Codex asks twice at once on a fresh home: one upstream call serves both.
	const modelsInFlight = new Map<string, Promise<CachedModels | undefined>>();
	const models = async (request: IncomingMessage, response: ServerResponse, url: URL) => {
		const key = url.search;
		let entry = modelsCache.get(key);
		if (entry === undefined || clock.now() - entry.at >= modelsCacheMs) {
			let pending = modelsInFlight.get(key);
			if (pending === undefined) {
				pending = fetchModels(key, flattenHeaders(request.headers)).finally(() => modelsInFlight.delete(key));
				modelsInFlight.set(key, pending);
			}

			entry = await pending;
		}

		if (entry === undefined) {
			sendRefusal(response, 'codex', {
				status: 503,
				code: 'no_usable_account',
				message: 'No account in the pool could fetch the model list. Check `codexpool accounts`.',
			});
			return;
		}

		response.writeHead(entry.status, entry.headers);
		response.end(entry.text);
	};

	const accountsCheck = (request: IncomingMessage, response: ServerResponse) => {
		// Codex checks the workspace of its own login before the first turn; the pool has no constraint to report.
		const header = request.headers['chatgpt-account-id'];
		const id = typeof header === 'string' && header !== '' ? header : 'codexpool';
		sendJson(response, 200, {
			accounts: [
				{
					id,
					name: 'codexpool',
					plan_type: 'pro',
					structure: 'personal',
					workspace_backend_origin: 'NO_CONSTRAINT',
					account_routing_override: 'NO_CONSTRAINT',
				},
			],
			default_account_id: id,
			account_ordering: [id],
		});
	};

	const usage = (_request: IncomingMessage, response: ServerResponse) =>
		sendJson(response, 200, pooledUsage(pool, clock.now()));
	return [
		{
			door: 'codex',
			method: 'POST',
			path: '/backend-api/codex/responses',
			model: true,
			handle: forward('/codex/responses'),
		},
		...(webSockets === undefined
			? []
			: [webSocketUpgradeRoute('codex', '/backend-api/codex/responses', webSockets)]),
		{
			door: 'codex',
			method: 'POST',
			path: '/backend-api/codex/responses/compact',
			model: true,
			handle: forward('/codex/responses/compact'),
		},
		{door: 'codex', method: 'GET', path: '/backend-api/codex/models', handle: models},
		// Codex asks `/wham/usage` under a `/backend-api` base and `/api/codex/usage` under any other.
		{door: 'codex', method: 'GET', path: '/backend-api/wham/usage', handle: usage},
		{door: 'codex', method: 'GET', path: '/backend-api/api/codex/usage', handle: usage},
		{door: 'codex', method: 'GET', path: '/api/codex/usage', handle: usage},
		{door: 'codex', method: 'GET', path: '/backend-api/wham/accounts/check', handle: accountsCheck},
		{
			door: 'health',
			method: 'GET',
			path: '/healthz',
			handle: (_request, response) =>
				sendJson(response, 200, {
					ok: true,
					accounts: pool.list().length,
					usable: pool.list().filter((account) => pool.isUsable(account.record.id)).length,
					inFlight: inFlight.current(),
				}),
		},
	];
}

/**
A path's WebSocket upgrades handed to the pool's WebSocket front door (source/core/ws), once the access policy
let them in (Host, Origin, the door's credential). A path the front door does not serve gets 426, on which
Codex falls back to HTTP at once.
*/
export function webSocketUpgradeRoute(
	door: Door,
	path: string,
	webSockets: Pick<WebSocketFrontDoor, 'handleUpgrade'>,
): Route {
	return {
		door,
		path,
		upgrade: (request, socket, head) => {
			if (!webSockets.handleUpgrade(request, socket, head)) {
				endSocketWithRefusal(socket, door, {
					status: 426,
					code: 'websocket_not_supported',
					message: 'codexpool serves Responses over HTTP on this path; use HTTP POST.',
				});
			}
		},
	};
}
