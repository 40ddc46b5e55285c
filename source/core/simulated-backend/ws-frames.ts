import type {SimulatedAccount} from './accounts.ts';
import type {UpstreamState} from './state.ts';
import {rateLimitHeaders, usageLimitBody} from './usage-report.ts';

/**
The server's frames in WebSocket mode (websocket.md "Frames"): the Responses stream events as JSON text frames,
the same events as over SSE without the `event:` line, and errors as `{"type":"error","status",…}` frames.
*/

/** The JSON of one SSE frame (`event: t\ndata: {json}\n\n`): what the WebSocket sends as one text frame. */
export function sseToJson(frame: string): string {
	const start = frame.indexOf('\ndata: ');
	if (start < 0) {
		throw new Error(`Not an SSE frame: ${JSON.stringify(frame.slice(0, 80))}`);
	}

	const end = frame.endsWith('\n\n') ? frame.length - 2 : frame.length;
	return frame.slice(start + 7, end);
}

/** An error frame as the backend sends it; Codex maps `status` like an HTTP status and reads `headers`. */
export function errorFrame(status: number, error: Record<string, unknown>, headers?: Record<string, string>) {
	return JSON.stringify({type: 'error', status, error, ...(headers ? {headers} : {})});
}

/**
A response's frames as sent: the quota snapshot (`codex.rate_limits`), then its events with a `response.metadata`
right after the first (`response.created`), as over SSE (upstream-protocol.md §3). The metadata carries the
connection's turn state, which Codex 0.171 copies into the `client_metadata` of its later requests of the turn
(it reads none at the upgrade), and the model that serves it (Codex reports "model rerouted" when it differs
from the one it asked for).
*/
export function responseFrames(
	rateLimits: unknown,
	events: readonly string[],
	metadata: {readonly turnState: string; readonly model: string},
): string[] {
	const headers = {'x-codex-turn-state': metadata.turnState, 'openai-model': metadata.model};
	const [first, ...rest] = events;
	const opened =
		first === undefined ? [] : [first, JSON.stringify({type: 'response.metadata', headers}), ...rest];
	return [JSON.stringify(rateLimits), ...opened];
}

/** The 60-minute age limit; Codex reconnects and resends the full input (retryable, by its code). */
export const connectionLimitFrame = () =>
	errorFrame(400, {
		type: 'invalid_request_error',
		code: 'websocket_connection_limit_reached',
		message:
			'Responses websocket connection limit reached (60 minutes). Create a new websocket connection to continue.',
	});

/** An id this connection does not hold (with store:false nothing falls back to storage). */
export const previousResponseNotFoundFrame = (id: string) =>
	errorFrame(400, {
		type: 'invalid_request_error',
		code: 'previous_response_not_found',
		message: `Previous response with id '${id}' not found.`,
		param: 'previous_response_id',
	});

/** The 429 of an exhausted account, with the quota headers inside; undefined while it is usable. */
export function usageLimitFrame(state: UpstreamState, account: SimulatedAccount, now: number) {
	const idle = state.settings.idleUsedPercent;
	const body = usageLimitBody(account, now, idle);
	return body ? errorFrame(429, body.error, rateLimitHeaders(account, now, idle)) : undefined;
}

/** The error frame an injected `error_frame` behaviour sends, by status, in the backend's words. */
export function statusErrorFrame(status: number): string {
	if (status === 401) {
		return errorFrame(401, {
			type: 'invalid_request_error',
			code: 'token_expired',
			message: 'Provided authentication token is expired. Please try signing in again.',
		});
	}

	if (status === 429) {
		return errorFrame(429, {
			type: 'rate_limit_exceeded',
			code: 'rate_limit_exceeded',
			message: 'Rate limit reached for requests. Please try again in 1.5s.',
		});
	}

	if (status === 503) {
		return errorFrame(503, {
			type: 'server_error',
			code: 'server_is_overloaded',
			message: 'Our servers are currently overloaded. Please try again later.',
		});
	}

	return errorFrame(status, {
		type: status >= 500 ? 'server_error' : 'invalid_request_error',
		code: null,
		message: 'An error occurred while processing your request.',
	});
}

/** A refusal written on the raw socket before any upgrade (the handshake's HTTP answer). */
export function httpRefusal(status: number, body: unknown, headers: Record<string, string> = {}): string {
	const text = JSON.stringify(body);
	const reason =
		{
			400: 'Bad Request',
			401: 'Unauthorized',
			404: 'Not Found',
			426: 'Upgrade Required',
			429: 'Too Many Requests',
		}[status] ?? 'Error';
	const lines = Object.entries({
		'content-type': 'application/json',
		'content-length': String(Buffer.byteLength(text)),
		connection: 'close',
		...headers,
	}).map(([name, value]) => `${name}: ${value}`);
	return `HTTP/1.1 ${status} ${reason}\r\n${lines.join('\r\n')}\r\n\r\n${text}`;
}
