import type {Dispatcher} from 'undici';
import WebSocket from 'ws';
import type {Clock} from '../clock.ts';
import {UpstreamBody} from '../proxy/upstream-body.ts';
import type {UpstreamAnswer, UpstreamBase} from '../proxy/upstream-client.ts';
import {classifyHttpFailure} from '../proxy/upstream-errors.ts';
import {ConversationMemory, itemTexts} from './conversation.ts';
import {frameType, parseFrame} from './frames.ts';
import type {UpstreamWebSocketSupport} from './handshake.ts';
import {PRELUDE_TYPES, preludeHeaders, upgradeHeaders} from './prelude-headers.ts';
import {type SessionSocket, SessionSockets} from './session-sockets.ts';
import {openUpstreamSocket, upstreamSocketUrl} from './upstream-socket.ts';

/**
HTTP clients ride the upstream WebSocket too: a POST on the responses path goes upstream as a frame on a socket
of its session (one per session and account), with only the new items and `previous_response_id` when its
input extends the previous request's input and output with the same fields (Codex's own rule), the full input
otherwise. The frames come back to the engine as the SSE body an HTTP answer would have had (what the socket
says before the first event, and its upgrade response, as that answer's headers), so everything after
(failover before the first event, the SSE tap, the client's response) is the HTTP path's.
*/
export type SocketTransport = {
	/**
	Sends a request over the session's socket: the answer as an HTTP one would be, or undefined when it must go
	over HTTP (turned off, the upstream refuses WebSocket, the session's socket is busy with another request).
	*/
	readonly send: (request: {
		readonly sessionId: string;
		readonly accountId: string;
		/** The upstream headers (the account's credentials in them). */
		readonly headers: Readonly<Record<string, string>>;
		readonly body: Readonly<Record<string, unknown>>;
		readonly signal: AbortSignal;
	}) => Promise<UpstreamAnswer | undefined>;
	/** Sockets open now. */
	readonly openSockets: () => number;
	readonly close: () => void;
};

const RETRY_FULL = new Set(['previous_response_not_found', 'websocket_connection_limit_reached']);

function sse(text: string, type: string | undefined): Buffer {
	return Buffer.from(`event: ${type ?? 'message'}\ndata: ${text}\n\n`);
}

export function createSocketTransport(options: {
	readonly upstream: UpstreamBase;
	readonly clock: Clock;
	readonly support: UpstreamWebSocketSupport;
	/** Read on every request (the store setting). */
	readonly enabled: () => boolean;
	/**
	Upstream sockets open at once (default 64); a new one closes the least recently used idle one, and when all are
	busy the request goes over HTTP.
	*/
	readonly maxSockets?: number;
	/** An idle socket older than this (clock ms) is not reused (default 55 minutes, under the backend's 60). */
	readonly maxAgeMs?: number;
	/** A socket unused this long (clock ms) is closed (default 5 minutes, Codex's own idle timeout is 300 s). */
	readonly idleMs?: number;
}): SocketTransport {
	const {clock} = options;
	const url = upstreamSocketUrl(options.upstream, '/codex/responses');
	const maxAgeMs = options.maxAgeMs ?? 55 * 60_000;
	const sockets = new SessionSockets({
		clock,
		maxSockets: options.maxSockets ?? 64,
		idleMs: options.idleMs ?? 5 * 60_000,
	});

	/** The session's socket for this account and token: kept, newly opened, or undefined (go over HTTP). */
	const socketFor = async (
		sessionId: string,
		accountId: string,
		headers: Readonly<Record<string, string>>,
	): Promise<SessionSocket | UpstreamAnswer | undefined> => {
		const entry = sockets.get(sessionId);
		if (entry !== undefined) {
			if (entry.busy) {
				return undefined;
			}

			if (
				entry.accountId === accountId &&
				entry.headers.authorization === headers.authorization &&
				entry.socket.readyState === WebSocket.OPEN &&
				clock.now() - entry.openedAt < maxAgeMs
			) {
				return entry;
			}

			sockets.drop(entry);
		}

		// One socket per session: while it opens, the session's other requests go over HTTP; and none beyond the bound.
		if (sockets.isOpening(sessionId) || !sockets.reserve(sessionId)) {
			return undefined;
		}

		const answer = await openUpstreamSocket(url, headers, clock.now);
		if (!answer.ok) {
			sockets.release(sessionId);
			if (answer.refusesWebSocket) {
				options.support.markRefused();
				return undefined;
			}

			// A 401 (the token, refreshed once by the caller) and a 429 (the account's quota) are the account's answer;
			// any other failed handshake says nothing of the request, which goes over HTTP and gets its own answer.
			const {failure, status, text} = answer;
			return status === 401 || status === 429
				? {ok: false, failure, status, text, headers: answer.headers}
				: undefined;
		}

		const opened: SessionSocket = {
			sessionId,
			socket: answer.socket,
			accountId,
			headers,
			openedAt: clock.now(),
			memory: new ConversationMemory(),
			upgradeHeaders: upgradeHeaders(answer.headers),
			busy: false,
			lastUsed: clock.now(),
			idleTimer: undefined,
		};
		return sockets.add(opened) ? opened : undefined;
	};

	const send: SocketTransport['send'] = async (request) => {
		if (!options.enabled() || options.support.refused) {
			return undefined;
		}

		const {sessionId, accountId, headers, body} = request;
		if (request.signal.aborted) {
			return undefined;
		}

		for (let attempt = 0; attempt < 2; attempt++) {
			const entry = await socketFor(sessionId, accountId, headers);
			if (entry === undefined || !('socket' in entry)) {
				return entry;
			}

			const outcome = await exchange(entry, headers, body, request.signal);
			if (outcome === 'retry-full') {
				sockets.drop(entry);
				continue;
			}

			if (outcome === 'broken') {
				sockets.drop(entry);
				return {
					ok: false,
					failure: {kind: 'reset', message: 'the upstream socket closed before the first event'},
					status: undefined,
					text: '',
					headers: {},
				};
			}

			return outcome;
		}

		return undefined;
	};

	/** One request on `entry`'s socket: the answer once its first event decides it. */
	const exchange = (
		entry: SessionSocket,
		headers: Readonly<Record<string, string>>,
		body: Readonly<Record<string, unknown>>,
		signal: AbortSignal,
	): Promise<UpstreamAnswer | 'retry-full' | 'broken'> => {
		const items = itemTexts(body.input);
		const chained = entry.memory.incremental(body, items);
		const frame: Record<string, unknown> =
			chained === undefined
				? {type: 'response.create', ...body}
				: {
						type: 'response.create',
						...body,
						previous_response_id: chained.previousResponseId,
						input: chained.items.map((item) => JSON.parse(item) as unknown),
					};
		const metadata = requestMetadata(entry.headers, headers, body.client_metadata);
		if (metadata !== undefined) {
			frame.client_metadata = metadata;
		}

		sockets.busy(entry);
		entry.socket.send(JSON.stringify(frame));
		// Frames before the first event wait for the verdict on the request, and become its headers.
		const held: string[] = [];
		const output: string[] = [];
		let upstreamBody: UpstreamBody | undefined;
		return new Promise((resolve) => {
			const settle = (value: UpstreamAnswer | 'retry-full' | 'broken') => {
				if (value !== 'retry-full' && value !== 'broken' && value.ok) {
					resolve(value);
					return;
				}

				finish();
				resolve(value);
			};

			const finish = () => {
				entry.socket.off('message', onMessage);
				entry.socket.off('close', onClose);
				signal.removeEventListener('abort', onAbort);
				if (entry.socket.isPaused) {
					entry.socket.resume();
				}

				sockets.idle(entry);
			};

			const onMessage = (data: WebSocket.RawData) => {
				const text = data.toString();
				const type = frameType(text);
				if (upstreamBody === undefined) {
					if (type !== undefined && PRELUDE_TYPES.has(type)) {
						held.push(text);
						return;
					}

					if (type === 'error') {
						const event = parseFrame(text) ?? {};
						const error = (event.error ?? {}) as {code?: unknown};
						if (typeof error.code === 'string' && RETRY_FULL.has(error.code)) {
							settle('retry-full');
							return;
						}

						const status = typeof event.status === 'number' ? event.status : 500;
						const errorText = JSON.stringify({error: event.error});
						settle({
							ok: false,
							failure: classifyHttpFailure(status, errorText, clock.now()),
							status,
							text: errorText,
							headers: (event.headers ?? {}) as Record<string, string>,
						});
						return;
					}

					upstreamBody = new UpstreamBody(controllerFor(entry.socket));
					const headers = {
						'content-type': 'text/event-stream',
						...entry.upgradeHeaders,
						...preludeHeaders(held),
					};
					entry.upgradeHeaders = undefined;
					settle({ok: true, response: {statusCode: 200, headers, body: upstreamBody}});
				}

				if (type === 'response.output_item.done') {
					output.push(JSON.stringify((parseFrame(text) ?? {}).item));
				}

				upstreamBody.deliver(sse(text, type));
				if (type === 'response.completed') {
					const id = ((parseFrame(text) ?? {}).response as {id?: unknown} | undefined)?.id;
					if (typeof id === 'string') {
						entry.memory.remember(body, items, id, output);
					}

					finish();
					upstreamBody.finish();
				} else if (type === 'response.failed' || type === 'response.incomplete' || type === 'error') {
					entry.memory.clear();
					finish();
					upstreamBody.finish();
				}
			};

			const onClose = () => {
				entry.memory.clear();
				if (upstreamBody === undefined) {
					settle('broken');
					return;
				}

				finish();
				upstreamBody.fail(new Error('The upstream socket closed before response.completed.'));
			};

			const onAbort = () => {
				// The client went away mid-response: the socket still carries its frames, so it is cut.
				finish();
				sockets.drop(entry, true);
				// The abort's reason goes on, as undici's does over HTTP (the pool stopping ends streams with its own words).
				const reason: unknown = signal.reason;
				upstreamBody?.fail(reason instanceof Error ? reason : new Error('The client went away.'));
				if (upstreamBody === undefined) {
					resolve('broken');
				}
			};

			entry.socket.on('message', onMessage);
			entry.socket.once('close', onClose);
			signal.addEventListener('abort', onAbort, {once: true});
		});
	};

	return {
		send,
		openSockets: () => sockets.size,
		close: () => sockets.close(),
	};
}

/** Never copied into a frame's metadata: credentials, and what only the handshake means. */
const NOT_METADATA = new Set(['authorization', 'chatgpt-account-id', 'cookie', 'openai-beta', 'x-api-key']);

/**
The frame's `client_metadata`: the body's own, plus the request's headers that the socket's handshake did not
carry with the same value. Codex moves its per-turn headers there over WebSocket (`x-codex-turn-metadata`,
`x-codex-turn-state`); without it a later request on the socket would go upstream with the first one's.
*/
function requestMetadata(
	handshake: Readonly<Record<string, string>>,
	headers: Readonly<Record<string, string>>,
	own: unknown,
): Record<string, unknown> | undefined {
	const extra: Record<string, unknown> = {};
	let any = false;
	for (const [name, value] of Object.entries(headers)) {
		if (handshake[name] !== value && !NOT_METADATA.has(name)) {
			extra[name] = value;
			any = true;
		}
	}

	if (!any) {
		return undefined;
	}

	return typeof own === 'object' && own !== null && !Array.isArray(own) ? {...extra, ...own} : extra;
}

/** What UpstreamBody needs of undici's controller, over a socket: pause and resume its reading, abort it. */
function controllerFor(socket: WebSocket): Dispatcher.DispatchController {
	let paused = false;
	let aborted = false;
	return {
		get paused() {
			return paused;
		},
		get aborted() {
			return aborted;
		},
		get reason() {
			return null;
		},
		pause() {
			paused = true;
			socket.pause();
		},
		resume() {
			paused = false;
			socket.resume();
		},
		abort() {
			// As undici destroys an aborted request's connection: the socket may be paused mid-response.
			aborted = true;
			socket.terminate();
		},
	} as Dispatcher.DispatchController;
}
