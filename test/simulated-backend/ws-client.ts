import WebSocket from 'ws';
import type {SimulatedUpstream} from '../../source/core/simulated-backend/index.ts';
import {authHeaders} from './helpers.ts';

export type WsEvent = Record<string, unknown> & {type: string};

/** The handshake's answer: an open socket, or the HTTP status and body of a refusal. */
export type WsOpen =
	| {
			readonly ok: true;
			readonly client: WsTestClient;
			readonly headers: Record<string, string | string[] | undefined>;
	  }
	| {
			readonly ok: false;
			readonly status: number;
			readonly body: string;
			readonly headers: Record<string, unknown>;
	  };

/** A Responses WebSocket client for tests: sends `response.create` frames, collects events per response. */
export type WsTestClient = {
	readonly ws: WebSocket;
	/** Sends one frame (an object is sent as `{"type":"response.create", ...}`) and collects the events up to and
	including the terminal one (`response.completed`, `response.failed` or `error`), or up to the close. */
	request: (body: Record<string, unknown> | string) => Promise<{events: WsEvent[]; closed?: number}>;
	close: () => Promise<number>;
};

export const wsUrl = (upstream: SimulatedUpstream) =>
	`${upstream.backendUrl.replace(/^http/, 'ws')}/codex/responses`;

const TERMINAL = new Set(['response.completed', 'response.failed', 'error']);

export function openWs(
	upstream: SimulatedUpstream,
	name: string,
	headers: Record<string, string> = authHeaders(upstream, name),
): Promise<WsOpen> {
	return new Promise((resolve, reject) => {
		const ws = new WebSocket(wsUrl(upstream), {
			headers: {'openai-beta': 'responses_websockets=2026-02-06', ...headers},
		});
		ws.once('unexpected-response', (_request, response) => {
			let body = '';
			response.on('data', (chunk: Buffer) => {
				body += chunk.toString();
			});
			response.on('end', () =>
				resolve({ok: false, status: response.statusCode ?? 0, body, headers: response.headers}),
			);
		});
		ws.once('upgrade', (response) => {
			ws.once('open', () => resolve({ok: true, client: wrap(ws), headers: response.headers}));
		});
		ws.once('error', (error) => {
			if (!(error.message ?? '').includes('Unexpected server response')) {
				reject(error);
			}
		});
	});
}

function wrap(ws: WebSocket): WsTestClient {
	const inbox: WsEvent[] = [];
	let wake: (() => void) | undefined;
	let closedWith: number | undefined;
	ws.on('message', (data) => {
		inbox.push(JSON.parse(String(data)) as WsEvent);
		wake?.();
	});
	ws.on('close', (code) => {
		closedWith = code;
		wake?.();
	});
	const next = async (): Promise<WsEvent | undefined> => {
		while (inbox.length === 0) {
			if (closedWith !== undefined) {
				return undefined;
			}

			await new Promise<void>((resolve) => {
				wake = resolve;
			});
			wake = undefined;
		}

		return inbox.shift();
	};

	return {
		ws,
		async request(body) {
			ws.send(typeof body === 'string' ? body : JSON.stringify({type: 'response.create', ...body}));
			const events: WsEvent[] = [];
			for (;;) {
				const event = await next();
				if (!event) {
					return {events, closed: closedWith};
				}

				events.push(event);
				if (TERMINAL.has(event.type)) {
					return {events};
				}
			}
		},
		close() {
			if (closedWith !== undefined) {
				return Promise.resolve(closedWith);
			}

			return new Promise((resolve) => {
				ws.once('close', (code) => resolve(code));
				ws.close();
			});
		},
	};
}

/** The `response` of the terminal event, when it is `response.completed`. */
export function completedResponse(events: readonly WsEvent[]) {
	const last = events.at(-1);
	return last?.type === 'response.completed'
		? (last.response as {id: string; output: Array<Record<string, unknown>>; usage: Record<string, unknown>})
		: undefined;
}
