import type {IncomingMessage, ServerResponse} from 'node:http';
import type {ActionResult, Core, CoreEvents} from '../contract.ts';
import type {SchedulerChange, StrategyOptions} from '../model.ts';
import {sseComment, sseEvent} from '../sse/frame.ts';
import {readJsonBody, sendJson} from './http.ts';

/**
The admin API: the same `Core` the TUI uses, over HTTP, so a TUI or a command in another process can
attach to a running daemon. `GET /api/state` is the snapshot; `GET /api/events` streams a fresh snapshot
whenever it changes plus every request, move, kick and notice; `POST /api/...` runs an action.
*/
export type AdminRouteOptions = {
	readonly core: Core;
	/** When set, callers that are not on loopback must present it as a Bearer token. */
	readonly adminToken?: string | undefined;
};

const accountActions = ['pin', 'unpin', 'drain', 'evict', 'restore', 'kick'] as const;
type AccountAction = (typeof accountActions)[number];

/** Handles `/api/*`; returns false for any other path so the caller can route it elsewhere. */
export function createAdminRoutes({core, adminToken}: AdminRouteOptions) {
	return async (request: IncomingMessage, response: ServerResponse, path: string): Promise<boolean> => {
		if (!path.startsWith('/api/')) {
			return false;
		}

		const refusal = refuse(request, adminToken);
		if (refusal !== undefined) {
			sendJson(response, 403, {error: {type: 'forbidden', message: refusal}});
			return true;
		}

		if (request.method === 'GET' && path === '/api/state') {
			sendJson(response, 200, core.getSnapshot());
			return true;
		}

		if (request.method === 'GET' && path === '/api/events') {
			streamEvents(core, request, response);
			return true;
		}

		if (request.method !== 'POST') {
			sendJson(response, 405, {
				error: {type: 'method_not_allowed', message: `${request.method} is not allowed on ${path}.`},
			});
			return true;
		}

		// A web page can send a "simple" cross-site POST to loopback; requiring JSON forces a CORS preflight,
		// which this server never grants.
		if (!(request.headers['content-type'] ?? '').startsWith('application/json')) {
			sendJson(response, 415, {
				error: {
					type: 'unsupported_media_type',
					message: 'Admin actions take a JSON body (Content-Type: application/json).',
				},
			});
			return true;
		}

		const body = await readJsonBody(request, 64 * 1024);
		if (!body.ok) {
			sendJson(response, body.status, {error: {type: 'invalid_request', message: body.message}});
			return true;
		}

		const result = await runAction(core, path, body.value);
		if (result === undefined) {
			sendJson(response, 404, {error: {type: 'not_found', message: `No admin action at ${path}.`}});
			return true;
		}

		sendJson(response, result.ok ? 200 : 400, result);
		return true;
	};
}

async function runAction(
	core: Core,
	path: string,
	body: Record<string, unknown>,
): Promise<ActionResult | undefined> {
	const match = /^\/api\/accounts\/([^/]+)\/([a-z]+)$/.exec(path);
	if (match) {
		const account = decodeURIComponent(match[1]!);
		const action = match[2] as AccountAction;
		return accountActions.includes(action) ? core[action](account) : undefined;
	}

	if (path === '/api/strategy') {
		return typeof body.name === 'string'
			? core.setStrategy(body.name, body.options as StrategyOptions | undefined)
			: {ok: false, message: 'Name the strategy: {"name": "<strategy>"}.'};
	}

	if (path === '/api/scheduler') {
		return core.setScheduler(body as SchedulerChange);
	}

	if (path === '/api/usage/refresh') {
		return core.refreshUsage(typeof body.account === 'string' ? body.account : undefined);
	}

	return undefined;
}

function streamEvents(core: Core, request: IncomingMessage, response: ServerResponse): void {
	response.writeHead(200, {
		'content-type': 'text/event-stream',
		'cache-control': 'no-store',
		connection: 'keep-alive',
	});
	const send = (event: string, data: unknown) => {
		response.write(sseEvent(data, event));
	};

	send('state', core.getSnapshot());
	const stops = [
		core.subscribe(() => send('state', core.getSnapshot())),
		...(['request', 'move', 'kick', 'notice'] as const).map((name) =>
			core.on(name, (payload: CoreEvents[typeof name][0]) => send(name, payload)),
		),
	];
	// Comments keep idle connections from being cut by anything in between.
	const keepAlive = setInterval(() => response.write(sseComment('keep-alive')), 15_000);
	keepAlive.unref();
	request.on('close', () => {
		clearInterval(keepAlive);
		for (const stop of stops) {
			stop();
		}
	});
}

const loopback = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

function refuse(request: IncomingMessage, adminToken: string | undefined): string | undefined {
	const origin = request.headers.origin;
	if (origin !== undefined && origin !== 'null') {
		return 'The admin API does not serve web pages.';
	}

	if (loopback.has(request.socket.remoteAddress ?? '')) {
		return undefined;
	}

	if (adminToken === undefined) {
		return 'The admin API answers loopback clients only. Configure an admin token to reach it from elsewhere.';
	}

	const presented = request.headers.authorization?.replace(/^Bearer\s+/i, '') ?? '';
	return constantTimeEqual(presented, adminToken) ? undefined : 'Wrong or missing admin token.';
}

function constantTimeEqual(a: string, b: string): boolean {
	const left = Buffer.from(a);
	const right = Buffer.from(b);
	let difference = left.length ^ right.length;
	for (let i = 0; i < right.length; i++) {
		difference |= (left[i] ?? 0) ^ right[i]!;
	}

	return difference === 0;
}
