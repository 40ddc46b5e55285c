import type {IncomingMessage, ServerResponse} from 'node:http';
import type {ActionResult, Core, CoreEvents} from '../contract.ts';
import {readJsonBody} from '../http/body.ts';
import {type Refusal, sendJson, sendRefusal} from '../http/reply.ts';
import type {Route} from '../http/route.ts';
import type {SchedulerChange, StrategyOptions} from '../model.ts';
import {sseComment, sseEvent} from '../sse/frame.ts';

/**
The admin API: the same `Core` the TUI uses, over HTTP, so a TUI or a command in another process can
attach to a running daemon. `GET /api/state` is the snapshot; `GET /api/events` streams a fresh snapshot
whenever it changes plus every request, move, kick and notice; `POST /api/...` runs an action. Who may call
it is the access policy's business (loopback, or the admin token; never a web page).
*/
export type AdminCore = Omit<Core, 'stop'>;

const accountActions = ['pin', 'unpin', 'drain', 'evict', 'restore', 'kick'] as const;
type AccountAction = (typeof accountActions)[number];

/** An action's body: JSON (a web page cannot send that cross-origin without a preflight), at most 64 KB. */
const actionBody = (request: IncomingMessage) => readJsonBody(request, {maxBytes: 64 * 1024, empty: {}});

const refuse = (response: ServerResponse, refusal: Refusal) => sendRefusal(response, 'admin', refusal);

/** Runs an action and answers its result: 200 when it worked, 400 with the reason when it did not. */
const answer = (response: ServerResponse, result: ActionResult) =>
	sendJson(response, result.ok ? 200 : 400, result);

export function createAdminRoutes(core: AdminCore): Route[] {
	const action =
		(run: (body: Record<string, unknown>, url: URL) => Promise<ActionResult | undefined>) =>
		async (request: IncomingMessage, response: ServerResponse, url: URL) => {
			const result = await run(await actionBody(request), url);
			if (result === undefined) {
				refuse(response, {status: 404, code: 'not_found', message: `No admin action at ${url.pathname}.`});
				return;
			}

			answer(response, result);
		};

	return [
		{
			door: 'admin',
			method: 'GET',
			path: '/api/state',
			handle: (_request, response) => sendJson(response, 200, core.getSnapshot()),
		},
		{
			door: 'admin',
			method: 'GET',
			path: '/api/events',
			handle: (request, response) => streamEvents(core, request, response),
		},
		{
			door: 'admin',
			method: 'POST',
			path: /^\/api\/accounts\/[^/]+\/[a-z]+$/,
			handle: action(async (body, url) => {
				const [, , , name, verb] = url.pathname.split('/');
				const account = decodeURIComponent(name!);
				if (verb === 'caps') {
					// {"fiveHour": 90, "weekly": 80}; {} or {"off": true} takes them off.
					const {off, ...caps} = body;
					return core.setCaps(account, off === true ? undefined : caps);
				}

				return accountActions.includes(verb as AccountAction)
					? core[verb as AccountAction](account)
					: undefined;
			}),
		},
		{
			door: 'admin',
			method: 'POST',
			path: '/api/strategy',
			handle: action(async (body) =>
				typeof body.name === 'string'
					? core.setStrategy(body.name, body.options as StrategyOptions | undefined)
					: {ok: false, message: 'Name the strategy: {"name": "<strategy>"}.'},
			),
		},
		{
			door: 'admin',
			method: 'POST',
			path: '/api/scheduler',
			handle: action(async (body) => core.setScheduler(body as SchedulerChange)),
		},
		{
			door: 'admin',
			method: 'POST',
			path: '/api/usage/refresh',
			handle: action(async (body) =>
				core.refreshUsage(typeof body.account === 'string' ? body.account : undefined),
			),
		},
		{
			// Anything else under /api/: a read is a method the API does not allow, a post an action it lacks.
			door: 'admin',
			path: /^\/api\//,
			handle: (request, response, url) =>
				request.method === 'POST'
					? action(async () => undefined)(request, response, url)
					: refuse(response, wrongMethod(request, url.pathname)),
		},
	];
}

/** What the catch-all answers a method other than POST (before reading any body). */
function wrongMethod(request: IncomingMessage, path: string): Refusal {
	return {status: 405, code: 'method_not_allowed', message: `${request.method} is not allowed on ${path}.`};
}

function streamEvents(core: AdminCore, request: IncomingMessage, response: ServerResponse): void {
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
	// Comments keep idle connections from being cut by anything in between, and tell an attached control
	// center within seconds that the daemon is gone when they stop (remote-core.ts).
	const keepAlive = setInterval(() => response.write(sseComment('keep-alive')), 1000);
	keepAlive.unref();
	request.on('close', () => {
		clearInterval(keepAlive);
		for (const stop of stops) {
			stop();
		}
	});
}
