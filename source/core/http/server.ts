import {createServer, type IncomingMessage, type Server, type ServerResponse} from 'node:http';
import type {AddressInfo} from 'node:net';
import type {Duplex} from 'node:stream';
import type {AccessPolicy} from './access.ts';
import {ClientRequestError} from './body.ts';
import type {InFlightCount} from './in-flight.ts';
import {trackOpenResponses} from './open-responses.ts';
import {endSocketWithRefusal, sendRefusal} from './reply.ts';
import {createRouteTable, doorOfPath, type Route} from './route.ts';

export type HttpServerOptions = {
	/** The route list: every door's routes (see source/core/route-list.ts for the pool's). */
	readonly routes: readonly Route[];
	readonly access: AccessPolicy;
	/** Counts the routes marked `model`. */
	readonly inFlight?: InFlightCount;
};

export type HttpServer = {
	/** Node's server: the HTTPS mirror takes its listeners, tests watch its requests. */
	readonly nodeServer: Server;
	/** Listens (default 127.0.0.1, port 0) and resolves to the base URL, e.g. `http://127.0.0.1:4455`. */
	readonly listen: (port?: number, host?: string) => Promise<string>;
	/**
	Stops accepting connections and lets the responses in flight finish for up to `graceMs` (less if `hurry`
	aborts); then calls `endStreams` (the pool ends the streams still running with their protocol's last event)
	and gives those endings a moment to go out. `close` then cuts whatever is left.
	*/
	readonly drain: (graceMs: number, endStreams: () => void, hurry?: AbortSignal) => Promise<void>;
	/** Stops accepting and cuts every open connection (streams in flight included); resolves once closed. */
	readonly close: () => Promise<void>;
};

/**
Codex tries a WebSocket upgrade on the responses path once per session as a prewarm; 426 makes it fall back to
HTTP at once (`codex-cli-observed.md` §5), whereas any other refusal costs it about 7 s of retries.
*/
const noWebSocket = {
	status: 426,
	code: 'websocket_not_supported',
	message: 'codexpool serves Responses over HTTP; use HTTP POST.',
};

/**
A request Node's parser refused (CR/LF or NUL in a header, headers over 16 KB, a broken request line): answered
400 or 431 with a JSON error saying so, then the connection is closed. A connection reset gets nothing.
*/
function answerClientError(error: Error & {code?: string}, socket: Duplex): void {
	const inResponse = (socket as Duplex & {_httpMessage?: {headersSent?: boolean}})._httpMessage?.headersSent;
	if (error.code === 'ECONNRESET' || !socket.writable || inResponse === true) {
		socket.destroy();
		return;
	}

	endSocketWithRefusal(
		socket,
		'codex',
		error.code === 'HPE_HEADER_OVERFLOW'
			? {
					status: 431,
					code: 'headers_too_large',
					message: 'The request headers are too large (over 16 KB in all).',
				}
			: {
					status: 400,
					code: 'bad_request',
					message:
						'The request is malformed HTTP (a header or the request line holds a forbidden character such as CR, LF or NUL).',
				},
	);
}

/** A browser's preflight for an origin the user allowed: what it may send, for ten minutes. */
function answerPreflight(request: IncomingMessage, response: ServerResponse): void {
	response.writeHead(204, {
		'access-control-allow-methods': 'GET, POST',
		'access-control-allow-headers':
			request.headers['access-control-request-headers'] ?? 'authorization, content-type',
		'access-control-max-age': '600',
	});
	response.end();
}

/**
The pool's HTTP server over one route list: the access policy first (Host, Origin, then the route's door's
credential), then the route. Errors a route throws become JSON in its door's shape; a WebSocket upgrade goes
to the route that takes upgrades on its path, or gets 426.
*/
export function createHttpServer(options: HttpServerOptions): HttpServer {
	const {access, inFlight} = options;
	const table = createRouteTable(options.routes);

	const onRequest = async (request: IncomingMessage, response: ServerResponse) => {
		const url = new URL(request.url ?? '/', 'http://localhost');
		const refusal = access.checkCaller(request);
		if (refusal !== undefined) {
			sendRefusal(response, doorOfPath(url.pathname), refusal);
			return;
		}

		if (request.headers.origin !== undefined) {
			// Only an origin the user allowed gets here; its page may read the answers.
			response.setHeader('access-control-allow-origin', request.headers.origin);
			response.setHeader('vary', 'origin');
			if (request.method === 'OPTIONS') {
				answerPreflight(request, response);
				return;
			}
		}

		const route = table.request(request.method, url.pathname);
		if (route === undefined) {
			sendRefusal(response, doorOfPath(url.pathname), {
				status: 404,
				code: 'not_found',
				message: `codexpool does not serve ${request.method} ${url.pathname}.`,
			});
			return;
		}

		try {
			const denied = access.checkCredential(request, route.door);
			if (denied !== undefined) {
				sendRefusal(response, route.door, denied);
				return;
			}

			if (route.model === true) {
				inFlight?.track(response);
			}

			await route.handle!(request, response, url);
		} catch (error) {
			if (error instanceof ClientRequestError) {
				sendRefusal(response, route.door, error);
				return;
			}

			sendRefusal(response, route.door, {
				status: 500,
				code: 'internal_error',
				message: `codexpool failed on this request: ${error instanceof Error ? error.message : String(error)}`,
			});
		}
	};

	const onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer) => {
		const url = new URL(request.url ?? '/', 'http://localhost');
		const route = table.upgrade(url.pathname);
		const door = route?.door ?? doorOfPath(url.pathname);
		const refusal = route === undefined ? access.checkCaller(request) : access.check(request, door);
		if (refusal !== undefined) {
			endSocketWithRefusal(socket, door, refusal);
			return;
		}

		if (route === undefined) {
			endSocketWithRefusal(socket, door, noWebSocket);
			return;
		}

		route.upgrade!(request, socket, head, url);
	};

	const nodeServer = createServer({keepAliveTimeout: 65_000}, onRequest);
	nodeServer.on('upgrade', onUpgrade);
	// A stray socket error must not take the proxy down; a request Node could not parse gets a JSON answer.
	nodeServer.on('clientError', answerClientError);

	const open = trackOpenResponses(nodeServer);
	return {
		nodeServer,
		async drain(graceMs, endStreams, hurry) {
			nodeServer.close();
			nodeServer.closeIdleConnections();
			// Upgraded connections are no responses: their turns are waited for by the in-flight count.
			await Promise.all([open.settled(graceMs, hurry), inFlight?.settled(graceMs, hurry)]);
			endStreams();
			await Promise.all([open.settled(1000), inFlight?.settled(1000)]);
		},
		listen: (port = 0, host = '127.0.0.1') =>
			new Promise((resolve, reject) => {
				nodeServer.once('error', reject);
				nodeServer.listen(port, host, () => {
					nodeServer.off('error', reject);
					const address = nodeServer.address() as AddressInfo;
					resolve(`http://${host.includes(':') ? `[${host}]` : host}:${address.port}`);
				});
			}),
		close: () =>
			new Promise((resolve) => {
				nodeServer.close(() => resolve());
				nodeServer.closeAllConnections();
			}),
	};
}
