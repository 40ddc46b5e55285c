import type {ServerResponse} from 'node:http';
import type {Duplex} from 'node:stream';
import type {Door} from './route.ts';

/**
Why a request is not served: its status, a machine-readable code and a message that says what to do. Every
door turns one into its own error shape (`errorBody`).
*/
export type Refusal = {
	readonly status: number;
	readonly code: string;
	readonly message: string;
	/** Extra fields of the error object (e.g. `resets_at`). */
	readonly extra?: Readonly<Record<string, unknown>>;
};

/**
Writes a JSON answer with its length. Nothing here ever holds a token: errors and snapshots are built from
what may be shown. A response already started cannot take a JSON body any more: it is ended as it is.
*/
export function sendJson(
	response: ServerResponse,
	status: number,
	body: unknown,
	headers: Readonly<Record<string, string>> = {},
): void {
	if (response.headersSent) {
		response.end();
		return;
	}

	const text = JSON.stringify(body);
	response.writeHead(status, {
		'content-type': 'application/json',
		'content-length': Buffer.byteLength(text),
		'cache-control': 'no-store',
		...headers,
	});
	response.end(text);
}

/** The OpenAI `type` that goes with a status, for refusals raised before a `/v1` handler runs. */
function openAiType(status: number): string {
	if (status === 401) {
		return 'authentication_error';
	}

	if (status === 403 || status === 421) {
		return 'permission_error';
	}

	if (status === 429) {
		return 'rate_limit_error';
	}

	return status >= 500 ? 'server_error' : 'invalid_request_error';
}

/**
A refusal in the door's error shape: `{"error": {"message", "type", "code", "param"}}` on `/v1` (what the
OpenAI SDKs read), `{"error": {"type", "message"}}` on the backend's paths (what Codex reads) and the admin API.
*/
export function errorBody(door: Door, refusal: Refusal): {error: Record<string, unknown>} {
	if (door === 'openai') {
		return {
			error: {
				message: refusal.message,
				type: openAiType(refusal.status),
				code: refusal.code,
				param: null,
				...refusal.extra,
			},
		};
	}

	return {error: {type: refusal.code, message: refusal.message, ...refusal.extra}};
}

/** Answers a refusal in the door's shape (or cuts the response when it had started: nothing else is honest). */
export function sendRefusal(
	response: ServerResponse,
	door: Door,
	refusal: Refusal,
	headers?: Readonly<Record<string, string>>,
): void {
	if (response.headersSent) {
		response.destroy();
		return;
	}

	sendJson(response, refusal.status, errorBody(door, refusal), headers);
}

const reasons: Readonly<Record<number, string>> = {
	400: 'Bad Request',
	401: 'Unauthorized',
	403: 'Forbidden',
	404: 'Not Found',
	421: 'Misdirected Request',
	426: 'Upgrade Required',
	431: 'Request Header Fields Too Large',
};

/**
Answers on a bare socket (an upgrade request, or a request Node's parser refused) and closes the connection:
the status line, a JSON body in the door's shape, `connection: close`.
*/
export function endSocketWithRefusal(socket: Duplex, door: Door, refusal: Refusal): void {
	const body = JSON.stringify(errorBody(door, refusal));
	socket.end(
		`HTTP/1.1 ${refusal.status} ${reasons[refusal.status] ?? 'Error'}\r\nconnection: close\r\ncontent-type: application/json\r\ncache-control: no-store\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
	);
}
