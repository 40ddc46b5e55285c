import type {IncomingMessage, ServerResponse} from 'node:http';
import {sendJson} from '../http/reply.ts';
import type {BodySink, DispatchResult} from './dispatch-types.ts';
import {PoolStoppingError} from './stopping.ts';
import {streamFailedEvent} from './watch.ts';

/**
An AbortSignal that fires when the client goes away before its response is complete, so the engine can abort
the upstream request.
*/
export function clientGoneSignal(request: IncomingMessage, response: ServerResponse): AbortSignal {
	const controller = new AbortController();
	const abort = () => {
		if (!response.writableFinished) {
			controller.abort();
		}
	};

	response.once('close', abort);
	request.once('aborted', abort);
	return controller.signal;
}

/** The longest an upstream chunk waits to be gathered with the next ones on its way to the client. */
const GATHER_MS = 2;
/** Gathered bytes that leave at once, whatever the wait. */
const GATHER_BYTES = 64 * 1024;

/**
The client's response as a sink for the upstream body. The upstream writes a turn as ~300 small chunks; one
write per chunk would cost the proxy a chunk frame and a syscall each, and the client a wake-up each. So a
chunk that comes within GATHER_MS of the previous write waits (at most that long) and leaves with the others
in one write; the first chunk of a response, and any after a quiet spell, leave at once (in the same tick),
so the time to the first byte does not grow. 2 ms is far below what a reader of a token stream can see.
Backpressure follows the socket: once it is full, the sink refuses until 'drain'.
*/
function clientSink(response: ServerResponse, sse: boolean, finish: () => void): BodySink {
	let pending: Buffer[] = [];
	let pendingBytes = 0;
	let timer: NodeJS.Timeout | undefined;
	let scheduled = false;
	let lastWrite = Number.NEGATIVE_INFINITY;
	const flush = () => {
		clearTimeout(timer);
		timer = undefined;
		scheduled = false;
		const chunks = pending;
		pending = [];
		pendingBytes = 0;
		lastWrite = performance.now();
		if (chunks.length > 0 && !response.destroyed) {
			response.write(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks));
		}
	};

	return {
		write(chunk) {
			pending.push(chunk);
			pendingBytes += chunk.length;
			if (!scheduled || (timer !== undefined && pendingBytes >= GATHER_BYTES)) {
				clearTimeout(timer);
				scheduled = true;
				const wait = GATHER_MS - (performance.now() - lastWrite);
				timer = wait > 0 && pendingBytes < GATHER_BYTES ? setTimeout(flush, wait) : undefined;
				if (timer === undefined) {
					process.nextTick(flush);
				}
			}

			return !response.writableNeedDrain;
		},
		end() {
			flush();
			response.end();
			finish();
		},
		fail(error) {
			flush();
			if (sse && !response.destroyed) {
				response.end(
					streamFailedEvent(
						error instanceof PoolStoppingError
							? error.message
							: `The upstream stream broke: ${error.message}`,
					),
				);
			} else {
				response.destroy();
			}

			finish();
		},
	};
}

/**
Sends the engine's result to the client. A failure becomes the upstream-shaped JSON error; a success is
streamed with backpressure (the upstream is paused while the client's socket is full). If the upstream breaks
after the first byte, an SSE stream ends with a `response.failed` event (Codex retries it) and any other body
is cut, so the client never mistakes a partial answer for a whole one.
*/
export function sendDispatchResult(response: ServerResponse, result: DispatchResult): Promise<void> {
	if (!result.ok) {
		sendJson(response, result.status, {error: result.error});
		return Promise.resolve();
	}

	const {body} = result;
	const sse = (result.headers['content-type'] ?? '').includes('text/event-stream');
	response.writeHead(result.status, result.headers);
	return new Promise((resolve) => {
		const onDrain = () => body.drained();
		const finish = () => {
			response.off('drain', onDrain);
			resolve();
		};

		response.on('drain', onDrain);
		response.once('close', () => {
			body.cancel();
			finish();
		});
		body.sinkTo(clientSink(response, sse, finish));
	});
}
