import type {IncomingHttpHeaders} from 'node:http';
import {Readable} from 'node:stream';
import type {Dispatcher} from 'undici';
import type {BodySink, DispatchBody} from './dispatch-types.ts';

export type {BodySink} from './dispatch-types.ts';

/** Chunks held before anyone reads pause the upstream beyond this many bytes. */
const MAX_HELD_BYTES = 1024 * 1024;

/**
An upstream response body fed straight from undici's dispatch handler. It is read one of two ways: as a
Readable (error bodies, the OpenAI translation), or, on the hot path, through `sinkTo`, where each chunk goes
from undici's handler to the sink in one call (no push, no 'data' event, no buffer list: the ~300 chunks of a
turn are most of the proxy's work). `observe` sees every chunk first (the engine's SSE tap). Chunks wait until
both the observer is attached and a reader has chosen how to read, so none is missed or reordered.
Backpressure: a full buffer or sink pauses the upstream socket; destroying the body aborts the upstream request.
*/
export class UpstreamBody extends Readable implements DispatchBody {
	readonly #controller: Dispatcher.DispatchController;
	/** The upstream's body has ended (or failed). */
	#finished = false;
	#attached = false;
	/** A reader has come: through `sinkTo`, or by reading the stream. */
	#read = false;
	#sink: BodySink | undefined;
	/** Chunks that came before the flow started. */
	#held: Buffer[] = [];
	#heldBytes = 0;
	#observe: ((chunk: Buffer) => void) | undefined;
	#beforeEnd: (() => Buffer | undefined) | undefined;

	constructor(controller: Dispatcher.DispatchController) {
		super();
		this.#controller = controller;
		// An upstream failure must never crash the proxy, even before anyone listens: readers get it too.
		this.on('error', () => {});
	}

	/**
	Sets the observer: `observe` sees every chunk before it is passed on; `beforeEnd` runs when the upstream's
	body ends and may return a last chunk to add (an error event).
	*/
	attach(hooks: {observe?: (chunk: Buffer) => void; beforeEnd?: () => Buffer | undefined} = {}): void {
		if (this.#attached) {
			return;
		}

		this.#attached = true;
		this.#observe = hooks.observe;
		this.#beforeEnd = hooks.beforeEnd;
		this.#start();
	}

	/** Reads the body through `sink` instead of as a stream. The stream still emits 'end', 'error' and 'close'. */
	sinkTo(sink: BodySink): void {
		if (this.#read) {
			throw new Error('The body is already being read.');
		}

		this.#sink = sink;
		this.#read = true;
		this.#start();
	}

	toReadable(): Readable {
		return this;
	}

	cancel(): void {
		if (!this.destroyed && !this.readableEnded) {
			this.destroy();
		}
	}

	/** The sink has room again. */
	drained(): void {
		if (this.#controller.paused) {
			this.#controller.resume();
		}
	}

	override _read(): void {
		if (!this.#read) {
			this.#read = true;
			this.#start();
		}

		// In sink mode only the end marker goes through the stream: the sink alone decides when to resume.
		if (this.#sink === undefined) {
			this.drained();
		}
	}

	override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
		if (!this.#finished && !this.#controller.aborted) {
			this.#controller.abort(error ?? new Error('The client went away.'));
		}

		callback(error);
	}

	deliver(chunk: Buffer): void {
		if (this.#flowing) {
			this.#emit(chunk);
			return;
		}

		this.#held.push(chunk);
		this.#heldBytes += chunk.length;
		if (this.#heldBytes > MAX_HELD_BYTES) {
			this.#controller.pause();
		}
	}

	finish(): void {
		this.#finished = true;
		if (this.#flowing) {
			this.#end();
		}
	}

	fail(error: Error): void {
		this.#finished = true;
		if (this.#flowing && !this.destroyed) {
			this.#sink?.fail(error);
		}

		this.destroy(error);
	}

	/** Reads the rest as text (error bodies, the model list, usage). */
	async text(): Promise<string> {
		this.attach();
		const chunks: Buffer[] = [];
		for await (const chunk of this) {
			chunks.push(chunk as Buffer);
		}

		return Buffer.concat(chunks).toString('utf8');
	}

	/** Chunks pass on as they come: the observer is attached and a reader has come. */
	get #flowing(): boolean {
		return this.#attached && this.#read;
	}

	/** Called when the observer is attached or a reader comes (each happens once): starts the flow when both have. */
	#start(): void {
		if (!this.#flowing) {
			return;
		}

		const held = this.#held;
		const pausedForHolding = this.#heldBytes > MAX_HELD_BYTES;
		this.#held = [];
		this.#heldBytes = 0;
		let room = true;
		for (const chunk of held) {
			room = this.#emit(chunk);
		}

		if (this.#finished) {
			if (!this.destroyed) {
				this.#end();
			}
		} else if (pausedForHolding && room) {
			// Only now: resuming may deliver at once, and the held chunks had to go first.
			this.drained();
		}
	}

	/** Passes a chunk on; false (and the upstream paused) when the reader is full. */
	#emit(chunk: Buffer): boolean {
		this.#observe?.(chunk);
		const room = this.#sink === undefined ? this.push(chunk) : this.#sink.write(chunk);
		if (!room) {
			this.#controller.pause();
		}

		return room;
	}

	#end(): void {
		const last = this.#beforeEnd?.();
		if (this.#sink === undefined) {
			if (last !== undefined) {
				this.push(last);
			}

			this.push(null);
			return;
		}

		if (last !== undefined) {
			this.#sink.write(last);
		}

		this.#sink.end();
		// The stream itself carried nothing: flowing lets it emit 'end' (and then 'close') for its listeners.
		this.push(null);
		this.resume();
	}
}

export type UpstreamResponse = {
	readonly statusCode: number;
	readonly headers: IncomingHttpHeaders;
	readonly body: UpstreamBody;
};

/** Sends one request; resolves when the status and headers arrive, rejects if none do. */
export function requestUpstream(
	dispatcher: Dispatcher,
	options: {
		origin: string;
		path: string;
		method: 'GET' | 'POST';
		headers: Record<string, string>;
		body?: string | Buffer | undefined;
		signal?: AbortSignal | undefined;
	},
): Promise<UpstreamResponse> {
	const {signal} = options;
	return new Promise((resolve, reject) => {
		let controller: Dispatcher.DispatchController | undefined;
		let body: UpstreamBody | undefined;
		// The signal's reason when it has one (the pool stopping), so the stream ends saying why.
		const abortError = () =>
			signal?.reason instanceof Error ? signal.reason : new Error('The client went away.');
		const onAbort = () => controller?.abort(abortError());
		const cleanUp = () => signal?.removeEventListener('abort', onAbort);
		dispatcher.dispatch(
			{
				origin: options.origin,
				path: options.path,
				method: options.method,
				headers: options.headers,
				body: options.body,
			},
			{
				onRequestStart(started) {
					controller = started;
					if (signal?.aborted) {
						started.abort(abortError());
					} else {
						signal?.addEventListener('abort', onAbort, {once: true});
					}
				},
				onResponseStart(started, statusCode, headers) {
					if (statusCode < 200) {
						return;
					}

					body = new UpstreamBody(started);
					resolve({statusCode, headers, body});
				},
				onResponseData(_controller, chunk) {
					body?.deliver(chunk);
				},
				onResponseEnd() {
					cleanUp();
					body?.finish();
				},
				onResponseError(_controller, error) {
					cleanUp();
					if (body === undefined) {
						reject(error);
					} else {
						body.fail(error);
					}
				},
			},
		);
	});
}
