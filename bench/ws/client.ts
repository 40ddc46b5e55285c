import WebSocket from 'ws';

type Item = Record<string, unknown>;

/** One answered `response.create`, as the bench client saw it. */
export type Answer = {
	/** ms from sending the frame to the first frame back (time to first event). */
	readonly firstEventMs: number;
	readonly totalMs: number;
	readonly responseId: string | undefined;
	/** The terminal event's type (`response.completed`, `error`...). */
	readonly terminal: string;
	readonly output: Item[];
};

/**
A Responses WebSocket client for the benchmark: one request at a time; only the frames it needs are parsed
(an event's type is the frame's first field, as the simulated upstream writes it and relays keep it).
*/
export async function openBenchSocket(url: string, headers: Record<string, string>) {
	const socket = new WebSocket(url, {
		headers: {'openai-beta': 'responses_websockets=2026-02-06', ...headers},
		perMessageDeflate: false,
		maxPayload: 0,
	});
	await new Promise<void>((resolve, reject) => {
		socket.once('open', () => resolve());
		socket.once('error', reject);
		socket.once('unexpected-response', (_request, response) =>
			reject(new Error(`handshake answered ${response.statusCode}`)),
		);
	});
	let onFrame: ((text: string) => void) | undefined;
	let onClose: (() => void) | undefined;
	socket.on('message', (data) => onFrame?.(String(data)));
	socket.on('close', () => onClose?.());

	return {
		socket,
		request(frame: Record<string, unknown>): Promise<Answer> {
			return new Promise((resolve, reject) => {
				const started = performance.now();
				let firstEventMs: number | undefined;
				const output: Item[] = [];
				onClose = () => reject(new Error('the socket closed before the response ended'));
				onFrame = (text) => {
					firstEventMs ??= performance.now() - started;
					if (text.startsWith('{"type":"response.output_item.done"')) {
						output.push((JSON.parse(text) as {item: Item}).item);
						return;
					}

					const terminal = /^\{"type":"(response\.completed|response\.failed|error)"/.exec(text)?.[1];
					if (terminal !== undefined) {
						onFrame = undefined;
						onClose = undefined;
						const event = JSON.parse(text) as {response?: {id?: string}};
						resolve({
							firstEventMs,
							totalMs: performance.now() - started,
							responseId: event.response?.id,
							terminal,
							output,
						});
					}
				};
				socket.send(JSON.stringify({type: 'response.create', ...frame}));
			});
		},
		close: () =>
			new Promise<void>((resolve) => {
				if (socket.readyState === WebSocket.CLOSED) {
					resolve();
					return;
				}

				socket.once('close', () => resolve());
				socket.close();
			}),
	};
}

export type BenchSocket = Awaited<ReturnType<typeof openBenchSocket>>;
