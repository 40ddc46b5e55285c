import type {IncomingMessage, ServerResponse} from 'node:http';
import type {DispatchResult} from './dispatch-types.ts';
import {sendJson} from './server.ts';

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

/** The client's short name for the sessions view: `originator`, else the User-Agent's product. */
export function clientName(request: IncomingMessage): string {
	const originator = request.headers.originator;
	if (typeof originator === 'string' && originator !== '') {
		return originator;
	}

	const agent = request.headers['user-agent'] ?? '';
	return agent.split(/[/\s]/)[0] || 'unknown';
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
		const onDrain = () => body.resume();
		const finish = () => {
			response.off('drain', onDrain);
			resolve();
		};

		// The upstream's parser hands over one chunk per HTTP chunk (~300 per turn), often many in one tick: they
		// are gathered until the tick ends and leave as one write (one chunk frame, one syscall).
		let pending: Buffer[] = [];
		const flush = () => {
			const chunks = pending;
			pending = [];
			if (chunks.length === 0 || response.destroyed) {
				return;
			}

			if (!response.write(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks))) {
				body.pause();
			}
		};

		body.on('data', (chunk: Buffer) => {
			if (pending.length === 0) {
				process.nextTick(flush);
			}

			pending.push(chunk);
		});
		response.on('drain', onDrain);
		body.once('end', () => {
			flush();
			response.end();
			finish();
		});
		body.once('error', (error) => {
			flush();
			if (sse && !response.destroyed) {
				const event = {
					type: 'response.failed',
					response: {
						status: 'failed',
						error: {code: 'upstream_stream_broken', message: `The upstream stream broke: ${error.message}`},
					},
				};
				response.end(`event: response.failed\ndata: ${JSON.stringify(event)}\n\n`);
			} else {
				response.destroy();
			}

			finish();
		});
		response.once('close', () => {
			if (!body.destroyed && !body.readableEnded) {
				body.destroy();
			}

			finish();
		});
	});
}
