import {createServer, type IncomingMessage, type Server, type ServerResponse} from 'node:http';
import type {AddressInfo} from 'node:net';
import type {Duplex} from 'node:stream';
import {ClientRequestError} from './body.ts';

/**
A route another module mounts on the proxy (the `/v1` routes, the admin API). `path` is an exact pathname
or a pattern; routes are tried in order and the first match handles the request.
*/
export type ProxyRoute = {
	readonly method?: string;
	readonly path: string | RegExp;
	readonly handle: (request: IncomingMessage, response: ServerResponse, url: URL) => Promise<void> | void;
};

export type ProxyServerOptions = {
	/** Every route, tried in order (put `createCodexRoutes(...)` among them). */
	readonly routes: readonly ProxyRoute[];
	/**
	Called before any route; return undefined to let the request through, or a message to refuse it with 401
	(e.g. a pool key is required and missing). Never sees upstream credentials.
	*/
	readonly authorize?: (
		request: IncomingMessage,
		url: URL,
	) => string | undefined | Promise<string | undefined>;
	/**
	Takes a WebSocket upgrade (returns true) on the paths that serve one; every other upgrade is answered 426,
	so Codex falls back to HTTP at once.
	*/
	readonly upgrade?: (request: IncomingMessage, socket: Duplex, head: Buffer) => boolean;
};

export type ProxyServer = {
	readonly server: Server;
	/** Listens (default 127.0.0.1, port 0) and resolves to the base URL, e.g. `http://127.0.0.1:4455`. */
	readonly listen: (port?: number, host?: string) => Promise<string>;
	/** Stops accepting, ends idle keep-alive connections, and resolves once the server is closed. */
	readonly close: () => Promise<void>;
};

/** Writes a JSON answer (unless the response was already started). */
export function sendJson(
	response: ServerResponse,
	status: number,
	body: unknown,
	headers: Record<string, string> = {},
): void {
	if (response.headersSent) {
		response.end();
		return;
	}

	const text = JSON.stringify(body);
	response.writeHead(status, {
		'content-type': 'application/json',
		'content-length': Buffer.byteLength(text),
		...headers,
	});
	response.end(text);
}

/** An error answer in the upstream's shape, which Codex and the OpenAI SDKs both read. */
export function sendError(
	response: ServerResponse,
	status: number,
	type: string,
	message: string,
	extra: Record<string, unknown> = {},
): void {
	sendJson(response, status, {error: {type, message, ...extra}});
}

/**
Codex tries a WebSocket upgrade on the responses path once per session as a prewarm; 426 makes it fall back to
HTTP at once (`codex-cli-observed.md` §5), whereas any other refusal costs it about 7 s of retries.
*/
function refuseUpgrade(_request: IncomingMessage, socket: Duplex): void {
	const body = JSON.stringify({
		error: {type: 'websocket_not_supported', message: 'codexpool serves Responses over HTTP; use HTTP POST.'},
	});
	socket.end(
		`HTTP/1.1 426 Upgrade Required\r\nconnection: close\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
	);
}

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

	const tooLarge = error.code === 'HPE_HEADER_OVERFLOW';
	const body = JSON.stringify({
		error: tooLarge
			? {type: 'headers_too_large', message: 'The request headers are too large (over 16 KB in all).'}
			: {
					type: 'bad_request',
					message:
						'The request is malformed HTTP (a header or the request line holds a forbidden character such as CR, LF or NUL).',
				},
	});
	socket.end(
		`HTTP/1.1 ${tooLarge ? '431 Request Header Fields Too Large' : '400 Bad Request'}\r\nconnection: close\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
	);
}

/** The proxy's HTTP server: a route table, JSON errors, and 426 for a WebSocket upgrade nobody takes. */
export function createProxyServer(options: ProxyServerOptions): ProxyServer {
	const server = createServer({keepAliveTimeout: 65_000}, async (request, response) => {
		const url = new URL(request.url ?? '/', 'http://localhost');
		try {
			const refusal = await options.authorize?.(request, url);
			if (refusal !== undefined) {
				sendError(response, 401, 'invalid_pool_key', refusal);
				return;
			}

			const route = options.routes.find(
				(candidate) =>
					(candidate.method === undefined || candidate.method === request.method) &&
					(typeof candidate.path === 'string'
						? candidate.path === url.pathname
						: candidate.path.test(url.pathname)),
			);
			if (route === undefined) {
				sendError(response, 404, 'not_found', `codexpool does not serve ${request.method} ${url.pathname}.`);
				return;
			}

			await route.handle(request, response, url);
		} catch (error) {
			if (error instanceof ClientRequestError) {
				sendError(response, error.status, error.type, error.message);
				return;
			}

			if (response.headersSent) {
				response.destroy();
				return;
			}

			sendError(
				response,
				500,
				'internal_error',
				`codexpool failed on this request: ${error instanceof Error ? error.message : String(error)}`,
			);
		}
	});
	server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
		if (options.upgrade?.(request, socket, head) !== true) {
			refuseUpgrade(request, socket);
		}
	});
	// A stray socket error must not take the proxy down; a request Node could not parse gets a JSON answer.
	server.on('clientError', answerClientError);

	return {
		server,
		listen: (port = 0, host = '127.0.0.1') =>
			new Promise((resolve, reject) => {
				server.once('error', reject);
				server.listen(port, host, () => {
					server.off('error', reject);
					const address = server.address() as AddressInfo;
					resolve(`http://${host.includes(':') ? `[${host}]` : host}:${address.port}`);
				});
			}),
		close: () =>
			new Promise((resolve) => {
				server.close(() => resolve());
				server.closeIdleConnections();
			}),
	};
}
