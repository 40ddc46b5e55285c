import type {Dispatcher} from 'undici';
import WebSocket from 'ws';
import {UpstreamBody} from '../proxy/upstream-body.ts';
import type {UpstreamAnswer, UpstreamBase} from '../proxy/upstream-client.ts';
import {classifyHttpFailure} from '../proxy/upstream-errors.ts';
import {ConversationMemory, itemTexts} from './conversation.ts';
import {frameType, parseFrame} from './frames.ts';
import type {UpstreamWebSocketSupport} from './handshake.ts';
import {openUpstreamSocket, upstreamSocketUrl} from './upstream-socket.ts';

/**
HTTP clients ride the upstream WebSocket too: a POST on the responses path goes upstream as a frame on a socket
of its session (one per session and account), with only the new items and `previous_response_id` when its
input extends the previous request's input and output with the same fields (Codex's own rule), the full input
otherwise. The frames come back to the engine as the SSE body an HTTP answer would have had, so everything
after (failover before the first event, the SSE tap, the client's response) is the HTTP path's.
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

type Entry = {
	readonly socket: WebSocket;
	readonly accountId: string;
	readonly authorization: string;
	readonly openedAt: number;
	readonly memory: ConversationMemory;
	busy: boolean;
	lastUsed: number;
};

/** Backend frames that come before `response.created`: they wait for the verdict on the request. */
const PRELUDE = new Set(['codex.rate_limits', 'codex.response.metadata']);
const RETRY_FULL = new Set(['previous_response_not_found', 'websocket_connection_limit_reached']);

function sse(text: string, type: string | undefined): Buffer {
	return Buffer.from(`event: ${type ?? 'message'}\ndata: ${text}\n\n`);
}

export function createSocketTransport(options: {
	readonly upstream: UpstreamBase;
	readonly now: () => number;
	readonly support: UpstreamWebSocketSupport;
	/** Read on every request (the store setting). */
	readonly enabled: () => boolean;
	/** Sockets kept at once; the least recently used idle one closes first (default 256). */
	readonly maxSockets?: number;
	/** An idle socket older than this (clock ms) is not reused (default 55 minutes, under the backend's 60). */
	readonly maxAgeMs?: number;
	/** A socket unused this long (clock ms) is closed (default 5 minutes, Codex's own idle timeout is 300 s). */
	readonly idleMs?: number;
}): SocketTransport {
	const entries = new Map<string, Entry>();
	const url = upstreamSocketUrl(options.upstream, '/codex/responses');
	const maxSockets = options.maxSockets ?? 256;
	const maxAgeMs = options.maxAgeMs ?? 55 * 60_000;
	const idleMs = options.idleMs ?? 5 * 60_000;

	const drop = (sessionId: string, entry: Entry) => {
		if (entries.get(sessionId) === entry) {
			entries.delete(sessionId);
		}

		if (entry.socket.readyState <= WebSocket.OPEN) {
			entry.socket.close(1000);
		}
	};

	const makeRoom = () => {
		if (entries.size < maxSockets) {
			return;
		}

		const idle = [...entries]
			.filter(([, entry]) => !entry.busy)
			.sort((a, b) => a[1].lastUsed - b[1].lastUsed);
		for (const [sessionId, entry] of idle.slice(0, entries.size - maxSockets + 1)) {
			drop(sessionId, entry);
		}
	};

	// Idle sockets close: a session that went quiet holds no upstream connection.
	const sweep = setInterval(() => {
		for (const [sessionId, entry] of entries) {
			if (!entry.busy && options.now() - entry.lastUsed >= idleMs) {
				drop(sessionId, entry);
			}
		}
	}, 30_000);
	sweep.unref();

	const open = async (sessionId: string, accountId: string, headers: Readonly<Record<string, string>>) => {
		makeRoom();
		const answer = await openUpstreamSocket(url, headers, options.now);
		if (!answer.ok) {
			return answer;
		}

		const entry: Entry = {
			socket: answer.socket,
			accountId,
			authorization: headers.authorization ?? '',
			openedAt: options.now(),
			memory: new ConversationMemory(),
			busy: false,
			lastUsed: options.now(),
		};
		entry.socket.once('close', () => {
			if (entries.get(sessionId) === entry) {
				entries.delete(sessionId);
			}
		});
		entries.set(sessionId, entry);
		return {ok: true as const, entry};
	};

	const send: SocketTransport['send'] = async (request) => {
		if (!options.enabled() || options.support.refused) {
			return undefined;
		}

		const {sessionId, accountId, headers, body} = request;
		for (let attempt = 0; attempt < 2; attempt++) {
			let entry = entries.get(sessionId);
			if (
				entry !== undefined &&
				(entry.accountId !== accountId ||
					entry.authorization !== headers.authorization ||
					entry.socket.readyState !== WebSocket.OPEN ||
					options.now() - entry.openedAt >= maxAgeMs)
			) {
				if (entry.busy) {
					return undefined;
				}

				drop(sessionId, entry);
				entry = undefined;
			}

			if (entry?.busy) {
				return undefined;
			}

			if (entry === undefined) {
				const opened = await open(sessionId, accountId, headers);
				if (!opened.ok) {
					if (opened.refusesWebSocket) {
						options.support.markRefused();
						return undefined;
					}

					return {
						ok: false,
						failure: opened.failure,
						status: opened.status,
						text: opened.text,
						headers: opened.headers,
					};
				}

				entry = opened.entry;
			}

			const outcome = await exchange(entry, body, request.signal);
			if (outcome === 'retry-full') {
				drop(sessionId, entry);
				continue;
			}

			if (outcome === 'broken') {
				drop(sessionId, entry);
			}

			return outcome === 'broken'
				? {
						ok: false,
						failure: {kind: 'reset', message: 'the upstream socket closed before the first event'},
						status: undefined,
						text: '',
						headers: {},
					}
				: outcome;
		}

		return undefined;
	};

	/** One request on `entry`'s socket: the answer once its first event decides it. */
	const exchange = (
		entry: Entry,
		body: Readonly<Record<string, unknown>>,
		signal: AbortSignal,
	): Promise<UpstreamAnswer | 'retry-full' | 'broken'> => {
		const items = itemTexts(body.input);
		const chained = entry.memory.incremental(body, items);
		const frame =
			chained === undefined
				? {type: 'response.create', ...body}
				: {
						type: 'response.create',
						...body,
						previous_response_id: chained.previousResponseId,
						input: chained.items.map((item) => JSON.parse(item) as unknown),
					};
		entry.busy = true;
		entry.lastUsed = options.now();
		entry.socket.send(JSON.stringify(frame));
		const held: Buffer[] = [];
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
				entry.busy = false;
				entry.socket.off('message', onMessage);
				entry.socket.off('close', onClose);
				signal.removeEventListener('abort', onAbort);
			};

			const onMessage = (data: WebSocket.RawData) => {
				const text = data.toString();
				const type = frameType(text);
				if (upstreamBody === undefined) {
					if (type !== undefined && PRELUDE.has(type)) {
						held.push(sse(text, type));
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
							failure: classifyHttpFailure(status, errorText, options.now()),
							status,
							text: errorText,
							headers: (event.headers ?? {}) as Record<string, string>,
						});
						return;
					}

					upstreamBody = new UpstreamBody(controllerFor(entry.socket));
					for (const chunk of held.splice(0)) {
						upstreamBody.deliver(chunk);
					}

					settle({
						ok: true,
						response: {statusCode: 200, headers: {'content-type': 'text/event-stream'}, body: upstreamBody},
					});
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
				// The client went away mid-response: the socket still carries its frames, so it goes.
				finish();
				entry.socket.close(1000);
				upstreamBody?.fail(new Error('The client went away.'));
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
		openSockets: () => entries.size,
		close() {
			clearInterval(sweep);
			for (const [sessionId, entry] of entries) {
				drop(sessionId, entry);
			}
		},
	};
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
			aborted = true;
			socket.close(1000);
		},
	} as Dispatcher.DispatchController;
}
