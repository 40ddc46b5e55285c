import {once} from 'node:events';
import {createServer, type IncomingMessage} from 'node:http';
import type {AddressInfo} from 'node:net';
import {type WebSocket, WebSocketServer} from 'ws';

/** One `response.create` as a tiny upstream received it. */
export type Received = {
	readonly connection: number;
	readonly accountId: string;
	readonly text: string;
	readonly body: Record<string, unknown>;
};

type Behaviour = {
	/** Answer the handshake of this account with this status instead of 101. */
	handshake?: (accountId: string, authorization: string) => number | undefined;
	/** Answer a request with these frames instead of a normal response (return undefined for normal). */
	answer?: (request: Received, responseId: string) => string[] | undefined;
};

/**
A tiny stand-in for the backend's Responses WebSocket mode, for unit tests of the pool's relay: per connection
it keeps the latest response id (`previous_response_not_found` otherwise), answers a warm-up without output,
and a request with a reasoning item (encrypted for the account) and a message. `behaviour` injects faults.
*/
export async function startFakeUpstream(behaviour: Behaviour = {}) {
	const received: Received[] = [];
	const handshakes: {accountId: string; headers: IncomingMessage['headers']}[] = [];
	const sockets = new Set<WebSocket>();
	let connections = 0;
	let responses = 0;
	const http = createServer((_request, response) => {
		response.writeHead(404).end();
	});
	const server = new WebSocketServer({noServer: true});
	// As the backend's: a turn state of the account (per connection) and the models' etag, which Codex reads.
	let upgrades = 0;
	server.on('headers', (headers, request) => {
		headers.push(`x-codex-turn-state: ts-${String(request.headers['chatgpt-account-id'])}-${++upgrades}`);
		headers.push('x-models-etag: etag-1');
	});
	http.on('upgrade', (request, socket, head) => {
		const accountId = String(request.headers['chatgpt-account-id'] ?? '');
		handshakes.push({accountId, headers: request.headers});
		const status = behaviour.handshake?.(accountId, String(request.headers.authorization ?? ''));
		if (status !== undefined) {
			const body = JSON.stringify(
				status === 429
					? {
							error: {
								type: 'usage_limit_reached',
								message: 'limit',
								resets_at: Math.ceil(Date.now() / 1000) + 600,
							},
						}
					: {error: {type: 'refused', message: `status ${status}`}},
			);
			socket.end(
				`HTTP/1.1 ${status} No\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\n\r\n${body}`,
			);
			return;
		}

		server.handleUpgrade(request, socket, head, (ws) => {
			const connection = ++connections;
			sockets.add(ws);
			ws.once('close', () => sockets.delete(ws));
			let latest: string | undefined;
			ws.on('message', (data) => {
				const text = data.toString();
				const body = JSON.parse(text) as Record<string, unknown>;
				const request: Received = {connection, accountId, text, body};
				received.push(request);
				const id = `resp_${++responses}`;
				if (body.previous_response_id !== undefined && body.previous_response_id !== latest) {
					ws.send(
						JSON.stringify({
							type: 'error',
							status: 400,
							error: {
								type: 'invalid_request_error',
								code: 'previous_response_not_found',
								message: 'not found',
							},
						}),
					);
					return;
				}

				const frames =
					behaviour.answer?.(request, id) ?? normalAnswer(accountId, id, body.generate === false);
				for (const frame of frames) {
					ws.send(frame);
				}

				if (frames.some((frame) => frame.includes('"response.completed"'))) {
					latest = id;
				}
			});
		});
	});
	http.listen(0, '127.0.0.1');
	await once(http, 'listening');
	const {port} = http.address() as AddressInfo;
	return {
		backendUrl: `http://127.0.0.1:${port}/backend-api`,
		received,
		handshakes,
		openSockets: () => sockets.size,
		closeAll: (code = 1011) => {
			for (const socket of sockets) {
				socket.close(code, 'keepalive ping timeout');
			}
		},
		async close() {
			for (const socket of sockets) {
				socket.terminate();
			}

			await new Promise((resolve) => http.close(resolve));
		},
	};
}

/** The backend's `error` frame for an exhausted account: status 429 `usage_limit_reached`, resetting in `resetsInSeconds`. */
export function usageLimitFrame(resetsInSeconds: number, headers?: Record<string, string>): string {
	return JSON.stringify({
		type: 'error',
		status: 429,
		error: {
			type: 'usage_limit_reached',
			message: 'The usage limit has been reached',
			resets_at: Math.ceil(Date.now() / 1000) + resetsInSeconds,
		},
		...(headers === undefined ? {} : {headers}),
	});
}

export function normalAnswer(accountId: string, id: string, warmUp: boolean): string[] {
	const frames = [
		JSON.stringify({
			type: 'codex.rate_limits',
			plan_type: 'plus',
			rate_limits: {
				primary: {used_percent: 12, window_minutes: 300, reset_at: Math.ceil(Date.now() / 1000) + 3600},
			},
		}),
		JSON.stringify({type: 'response.created', response: {id, status: 'in_progress'}}),
	];
	if (!warmUp) {
		frames.push(
			JSON.stringify({
				type: 'response.output_item.done',
				output_index: 0,
				item: {type: 'reasoning', id: `rs_${id}`, summary: [], encrypted_content: `enc-${accountId}-${id}`},
			}),
			JSON.stringify({type: 'response.output_text.delta', delta: 'Hello'}),
			JSON.stringify({
				type: 'response.output_item.done',
				output_index: 1,
				item: {
					type: 'message',
					role: 'assistant',
					id: `msg_${id}`,
					content: [{type: 'output_text', text: `Hello from ${accountId}`}],
				},
			}),
		);
	}

	frames.push(
		JSON.stringify({
			type: 'response.completed',
			response: {
				id,
				status: 'completed',
				usage: {input_tokens: 10, output_tokens: warmUp ? 0 : 5, input_tokens_details: {cached_tokens: 0}},
			},
		}),
	);
	return frames;
}
