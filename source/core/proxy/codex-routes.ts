import type {IncomingMessage, ServerResponse} from 'node:http';
import type {Clock} from '../clock.ts';
import type {Pool} from '../pool/pool.ts';
import {readJsonBody} from './body.ts';
import type {Engine} from './dispatch.ts';
import {flattenHeaders} from './headers.ts';
import {pooledUsage} from './pooled-usage.ts';
import {clientGoneSignal, clientName, sendDispatchResult} from './respond.ts';
import {type ProxyRoute, sendError, sendJson} from './server.ts';

export type CodexRoutesOptions = {
	readonly engine: Engine;
	readonly pool: Pool;
	readonly clock: Clock;
	/** How long a model list fetched from the upstream is served from memory (clock ms; default 5 min). */
	readonly modelsCacheMs?: number;
	readonly maxBodyBytes?: number;
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
export function createCodexRoutes(options: CodexRoutesOptions): ProxyRoute[] {
	const {engine, pool, clock} = options;
	const modelsCacheMs = options.modelsCacheMs ?? 5 * 60_000;
	const modelsCache = new Map<string, CachedModels>();

	const forward = (path: string) => async (request: IncomingMessage, response: ServerResponse) => {
		const body = await readJsonBody(request, options.maxBodyBytes);
		const signal = clientGoneSignal(request, response);
		const result = await engine.dispatch({
			path,
			body,
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
			sendError(
				response,
				503,
				'no_usable_account',
				'No account in the pool could fetch the model list. Check `codexpool accounts`.',
			);
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

	return [
		{method: 'POST', path: '/backend-api/codex/responses', handle: forward('/codex/responses')},
		{
			method: 'POST',
			path: '/backend-api/codex/responses/compact',
			handle: forward('/codex/responses/compact'),
		},
		{method: 'GET', path: '/backend-api/codex/models', handle: models},
		{
			method: 'GET',
			path: /^\/(backend-api\/wham\/usage|api\/codex\/usage)$/,
			handle: (_request, response) => sendJson(response, 200, pooledUsage(pool, clock.now())),
		},
		{method: 'GET', path: '/backend-api/wham/accounts/check', handle: accountsCheck},
		{
			method: 'GET',
			path: '/healthz',
			handle: (_request, response) =>
				sendJson(response, 200, {
					ok: true,
					accounts: pool.list().length,
					usable: pool.list().filter((account) => pool.isUsable(account.record.id)).length,
					inFlight: engine.inFlight(),
				}),
		},
	];
}
