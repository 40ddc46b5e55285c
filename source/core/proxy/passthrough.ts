import type {IncomingMessage, ServerResponse} from 'node:http';
import {pipeline} from 'node:stream/promises';
import {type Dispatcher, request as undiciRequest} from 'undici';
import {sendRefusal} from '../http/reply.ts';
import type {Route} from '../http/route.ts';
import {clientResponseHeaders, HOP_BY_HOP} from './headers.ts';
import type {UpstreamBase} from './upstream-client.ts';

/**
The ChatGPT paths the pool does not pool: Codex's plugin service and MCP (`/backend-api/ps/...`, e.g. POST
/backend-api/ps/mcp from Codex 0.171), plugins and connectors. They belong to the client's own login, not to a
pooled account, so they go to the upstream as the client sent them, with its own Authorization, and the answer
comes back as it is. A request without any Authorization goes as sent too: Codex 0.171's MCP client sends
POST /backend-api/ps/mcp with none, and the backend, not the pool, answers it as it would answer Codex directly.
Only a pool key (which never leaves the pool) is refused, with a 401 that says so.
*/
export const passthroughPath = /^\/backend-api\/(ps|plugins|connectors)(\/|$)/;

export function createPassthroughRoute(options: {
	readonly upstream: UpstreamBase;
	readonly dispatcher: Dispatcher;
}): Route {
	const {upstream, dispatcher} = options;
	const handle = async (request: IncomingMessage, response: ServerResponse, url: URL) => {
		if (/^Bearer\s+cxp_/i.test(request.headers.authorization ?? '')) {
			sendRefusal(response, 'codex', {
				status: 401,
				code: 'own_login_required',
				message:
					`codexpool does not pool ${url.pathname}: it passes such requests to ChatGPT with the client's own ` +
					'login, and this one carries a pool key, which is not a ChatGPT login and never leaves the pool. Log ' +
					'the client in to ChatGPT (`codex login`) to use this feature through the pool.',
			});
			return;
		}

		const named = new Set(
			(request.headers.connection ?? '')
				.split(',')
				.map((name) => name.trim().toLowerCase())
				.filter(Boolean),
		);
		const headers: Record<string, string> = {};
		for (const [name, value] of Object.entries(request.headers)) {
			if (value !== undefined && !HOP_BY_HOP.has(name) && !named.has(name)) {
				headers[name] = Array.isArray(value) ? value.join(', ') : value;
			}
		}

		const hasBody = request.method !== 'GET' && request.method !== 'HEAD';
		let answer: Dispatcher.ResponseData;
		try {
			answer = await undiciRequest(
				`${upstream.origin}${upstream.prefix}${url.pathname.slice('/backend-api'.length)}${url.search}`,
				{
					dispatcher,
					method: (request.method ?? 'GET') as Dispatcher.HttpMethod,
					headers,
					body: hasBody ? request : undefined,
				},
			);
		} catch (error) {
			sendRefusal(response, 'codex', {
				status: 502,
				code: 'upstream_unreachable',
				message: `codexpool could not pass ${request.method} ${url.pathname} to ChatGPT: ${error instanceof Error ? error.message : String(error)}.`,
			});
			return;
		}

		response.writeHead(answer.statusCode, clientResponseHeaders(answer.headers));
		await pipeline(answer.body, response).catch(() => response.destroy());
	};

	return {door: 'codex', path: passthroughPath, handle};
}
