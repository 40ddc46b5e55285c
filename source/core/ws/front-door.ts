import type {IncomingMessage} from 'node:http';
import type {Duplex} from 'node:stream';
import {WebSocketServer} from 'ws';
import {clientName} from '../http/client.ts';
import {flattenHeaders} from '../proxy/headers.ts';
import {openFirstUpstream, UpstreamWebSocketSupport} from './handshake.ts';
import type {RelayDeps} from './relay-deps.ts';
import type {RelayHandle} from './relay-life.ts';
import type {RelayOptions} from './relay-options.ts';
import {startSessionRelay} from './session-relay.ts';

/** A refusal at the handshake: answered as an HTTP error, before any upgrade. */
export type HandshakeRefusal = {readonly status: number; readonly type: string; readonly message: string};

/** One path that accepts the Responses WebSocket mode. */
export type WebSocketRoute = {
	readonly path: string;
	/** The access policy of this front door (pool keys, loopback): undefined lets the client in. */
	readonly authorize: (
		request: IncomingMessage,
	) => HandshakeRefusal | undefined | Promise<HandshakeRefusal | undefined>;
	readonly prepare?: RelayOptions['prepare'];
	/** Whether backend-only frames (`codex.rate_limits`) reach the client (Codex reads them; the SDKs do not). */
	readonly backendFrames: boolean;
	/** The path the request log shows. */
	readonly logPath: string;
	/** The client's name for the sessions view (default: `originator`, else the User-Agent's product). */
	readonly clientName?: (request: IncomingMessage) => string;
};

export type WebSocketFrontDoor = {
	/** Adds a path (the `/v1` front door mounts its own once it exists). */
	readonly mount: (route: WebSocketRoute) => void;
	/**
	The server's `upgrade` handler for the mounted paths: false when the path is not one of them (the caller
	answers it), true when this front door took the socket (accepted or refused).
	*/
	readonly handleUpgrade: (request: IncomingMessage, socket: Duplex, head: Buffer) => boolean;
	/** Client WebSockets open now. */
	readonly openSockets: () => number;
	/**
	The pool stops: new upgrades are refused (503), idle connections close now (1001), the others once their
	turn ends.
	*/
	readonly drain: () => void;
	/** The grace period is over: turns still running end with `response.failed`, and their connections close. */
	readonly stopTurns: (message: string) => void;
	/** Closes every client socket (each closes its upstream). */
	readonly close: () => void;
};

/** The default bound on client WebSockets open at once (each holds one upstream socket). */
export const DEFAULT_MAX_WEB_SOCKETS = 512;

function refuse(socket: Duplex, refusal: HandshakeRefusal): void {
	const body = JSON.stringify({error: {type: refusal.type, message: refusal.message}});
	const reason =
		refusal.status === 401 ? 'Unauthorized' : refusal.status === 503 ? 'Service Unavailable' : 'Error';
	socket.end(
		`HTTP/1.1 ${refusal.status} ${reason}\r\nconnection: close\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
	);
}

/**
The pool's WebSocket front door: on a mounted path, the access policy and the bound on open sockets are
checked at the handshake (refused with an HTTP error), then the client gets a session relay of its own.
*/
export function createWebSocketFrontDoor(options: {
	readonly deps: RelayDeps;
	/** What the upstream said of WebSocket (shared with the HTTP path's sockets). */
	readonly support?: UpstreamWebSocketSupport;
	/** The bound on open client sockets, read at each handshake (a settings change applies at once). */
	readonly maxSockets?: () => number;
}): WebSocketFrontDoor {
	const routes = new Map<string, WebSocketRoute>();
	// Codex offers permessage-deflate; on loopback it would cost CPU for nothing, so it is declined.
	const server = new WebSocketServer({noServer: true, perMessageDeflate: false, maxPayload: 0});
	let open = 0;
	const relays = new Set<RelayHandle>();
	let draining = false;
	const support = options.support ?? new UpstreamWebSocketSupport();
	// Upgrade response headers per handshake (the upstream's turn state, models etag...), added by 'headers'.
	const extraHeaders = new WeakMap<IncomingMessage, readonly string[]>();
	server.on('headers', (headers, request) => {
		headers.push(...(extraHeaders.get(request) ?? []));
	});

	const accept = async (route: WebSocketRoute, request: IncomingMessage, socket: Duplex, head: Buffer) => {
		const refusal = await route.authorize(request);
		if (refusal !== undefined) {
			refuse(socket, refusal);
			return;
		}

		if (draining) {
			refuse(socket, {status: 503, type: 'pool_stopping', message: 'codexpool is stopping.'});
			return;
		}

		const max = options.maxSockets?.() ?? DEFAULT_MAX_WEB_SOCKETS;
		if (open >= max) {
			refuse(socket, {
				status: 503,
				type: 'too_many_websockets',
				message: `codexpool already holds ${open} WebSocket connections (the bound is ${max}; settings.maxWebSockets). Retry later or over HTTP.`,
			});
			return;
		}

		const refusedUpstream = {
			status: 426,
			type: 'websocket_not_supported',
			message: 'The upstream serves Responses over HTTP only here; use HTTP POST.',
		};
		if (support.refused) {
			refuse(socket, refusedUpstream);
			return;
		}

		const headers = flattenHeaders(request.headers);
		const first = await openFirstUpstream(options.deps, headers, support);
		if (first.kind === 'refused') {
			refuse(socket, refusedUpstream);
			return;
		}

		const initial = first.kind === 'open' ? first.upstream : undefined;
		if (socket.destroyed) {
			initial?.socket.close(1000);
			return;
		}

		if (first.kind === 'open') {
			extraHeaders.set(request, first.headers);
		}

		server.handleUpgrade(request, socket, head, (client) => {
			open++;
			const relay = startSessionRelay({
				deps: options.deps,
				client,
				headers,
				initial,
				clientName: route.clientName?.(request) ?? clientName(request),
				path: route.logPath,
				prepare: route.prepare,
				backendFrames: route.backendFrames,
				transport: socket,
			});
			relays.add(relay);
			client.once('close', () => {
				open--;
				relays.delete(relay);
			});
			if (draining) {
				relay.drain();
			}
		});
	};

	return {
		mount(route) {
			routes.set(route.path, route);
		},
		handleUpgrade(request, socket, head) {
			const pathname = new URL(request.url ?? '/', 'http://localhost').pathname.replace(/\/+$/, '');
			const route = routes.get(pathname);
			if (route === undefined) {
				return false;
			}

			socket.on('error', () => {});
			accept(route, request, socket, head).catch((error: unknown) => {
				refuse(socket, {
					status: 500,
					type: 'internal_error',
					message: `codexpool failed on this upgrade: ${error instanceof Error ? error.message : String(error)}`,
				});
			});
			return true;
		},
		openSockets: () => open,
		drain() {
			draining = true;
			for (const relay of relays) {
				relay.drain();
			}
		},
		stopTurns(message) {
			draining = true;
			for (const relay of relays) {
				relay.stop(message);
			}
		},
		close() {
			for (const client of server.clients) {
				client.terminate();
			}
		},
	};
}
