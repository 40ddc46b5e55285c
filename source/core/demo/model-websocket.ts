import WebSocket from 'ws';
import type {ModelCall, RequestFields} from './model-http.ts';

type Item = Record<string, unknown>;
type Event = {type?: string; item?: Item; response?: {id?: string}; error?: {code?: string}};

/** A session's model over the Responses WebSocket mode, or the news that the server refused the upgrade. */
export type WebSocketModel = {
	readonly call: ModelCall;
	/** Set once the handshake was answered 426: the session should use HTTP (as Codex does, silently). */
	readonly refused: () => boolean;
	readonly close: () => void;
};

/** The connection and what it holds: the latest completed response and how many input items it covered. */
type Connection = {
	readonly socket: WebSocket;
	readonly inbox: Event[];
	wake: (() => void) | undefined;
	closed: boolean;
	held: {id: string; items: number} | undefined;
};

const TERMINAL = new Set(['response.completed', 'response.failed', 'error']);

/**
Speaks like Codex does on one socket per session: a warm-up (`generate: false`) first, then each request sends
only the items added since the latest response (with its id) while the input extends it, else the whole input.
A `previous_response_not_found` or connection-limit error makes it reconnect and resend the whole input once.
*/
export function webSocketModel(options: {
	readonly url: string;
	readonly headers: Readonly<Record<string, string>>;
	readonly fields: RequestFields;
	/** The warm-up's input (Codex sends its base instructions as one developer message). */
	readonly warmUp: readonly Item[];
}): WebSocketModel {
	let connection: Connection | undefined;
	let refused = false;

	const open = () =>
		new Promise<Connection | undefined>((resolve) => {
			const socket = new WebSocket(options.url, {
				headers: {'openai-beta': 'responses_websockets=2026-02-06', ...options.headers},
				perMessageDeflate: false,
			});
			const opened: Connection = {socket, inbox: [], wake: undefined, closed: false, held: undefined};
			socket.on('message', (data) => {
				opened.inbox.push(JSON.parse(String(data)) as Event);
				opened.wake?.();
			});
			socket.on('close', () => {
				opened.closed = true;
				opened.wake?.();
			});
			socket.on('error', () => {
				opened.closed = true;
				resolve(undefined);
			});
			socket.on('unexpected-response', (_request, response) => {
				refused = response.statusCode === 426;
				response.resume();
				opened.closed = true;
				socket.terminate();
				resolve(undefined);
			});
			socket.on('open', () => resolve(opened));
		});

	/** Sends one frame and gathers its answer up to the terminal event; undefined when the socket went away. */
	const exchange = async (open: Connection, frame: Record<string, unknown>) => {
		open.inbox.length = 0;
		open.socket.send(JSON.stringify({type: 'response.create', ...options.fields, ...frame}));
		const output: Item[] = [];
		for (;;) {
			const event = open.inbox.shift();
			if (event === undefined) {
				if (open.closed) {
					return undefined;
				}

				await new Promise<void>((resolve) => {
					open.wake = resolve;
				});
				open.wake = undefined;
				continue;
			}

			if (event.type === 'response.output_item.done' && event.item) {
				output.push(event.item);
			}

			if (event.type !== undefined && TERMINAL.has(event.type)) {
				return {event, output};
			}
		}
	};

	const connect = async () => {
		const opened = await open();
		if (!opened) {
			return undefined;
		}

		const warm = await exchange(opened, {generate: false, input: options.warmUp});
		const id = warm?.event.type === 'response.completed' ? warm.event.response?.id : undefined;
		opened.held = id === undefined ? undefined : {id, items: options.warmUp.length};
		return opened;
	};

	const attempt = async (input: readonly Item[], retried: boolean): Promise<Item[] | undefined> => {
		if (!connection || connection.closed) {
			connection = await connect();
		}

		const current = connection;
		if (!current) {
			return undefined;
		}

		const {held} = current;
		const incremental = held !== undefined && input.length > held.items;
		const answer = await exchange(
			current,
			incremental ? {previous_response_id: held.id, input: input.slice(held.items)} : {input},
		);
		current.held = undefined;
		if (answer?.event.type === 'response.completed' && answer.event.response?.id) {
			current.held = {id: answer.event.response.id, items: input.length + answer.output.length};
			return answer.output;
		}

		const code = answer?.event.error?.code;
		const recoverable =
			code === 'previous_response_not_found' || code === 'websocket_connection_limit_reached';
		if (!answer || recoverable) {
			current.socket.terminate();
			connection = undefined;
		}

		return recoverable && !retried ? attempt(input, true) : undefined;
	};

	return {
		call: (input) => attempt(input, false),
		refused: () => refused,
		close() {
			connection?.socket.terminate();
			connection = undefined;
		},
	};
}
