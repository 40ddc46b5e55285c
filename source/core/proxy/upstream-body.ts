import type {IncomingHttpHeaders} from 'node:http';
import {Readable} from 'node:stream';
import type {Dispatcher} from 'undici';

/**
An upstream response body as one Readable fed straight from undici's dispatch handler: no intermediate
body stream and no pipe, so each of the ~300 chunks of a turn costs one push. `observe` sees every chunk
first (the engine's SSE tap); chunks that come before `attach` wait for it. Backpressure: a full buffer pauses the upstream socket, reading resumes it;
destroying the body aborts the upstream request.
*/
export class UpstreamBody extends Readable {
	readonly #controller: Dispatcher.DispatchController;
	/** The upstream's body has ended (or failed). */
	#finished = false;
	#attached = false;
	/** Chunks that arrived before `attach`: held back, so no observer misses one. */
	#early: Buffer[] = [];
	#observe: ((chunk: Buffer) => void) | undefined;
	#beforeEnd: (() => Buffer | undefined) | undefined;

	constructor(controller: Dispatcher.DispatchController) {
		super();
		this.#controller = controller;
		// An upstream failure must never crash the proxy, even before anyone listens: readers get it too.
		this.on('error', () => {});
	}

	/**
	Starts the flow. `observe` sees every chunk before it is pushed; `beforeEnd` runs when the upstream's body
	ends and may return a last chunk to add (an error event).
	*/
	attach(hooks: {observe?: (chunk: Buffer) => void; beforeEnd?: () => Buffer | undefined} = {}): void {
		if (this.#attached) {
			return;
		}

		this.#attached = true;
		this.#observe = hooks.observe;
		this.#beforeEnd = hooks.beforeEnd;
		const early = this.#early;
		this.#early = [];
		for (const chunk of early) {
			this.#emit(chunk);
		}

		if (this.#finished && !this.destroyed) {
			this.#end();
		}
	}

	override _read(): void {
		if (this.#controller.paused) {
			this.#controller.resume();
		}
	}

	override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
		if (!this.#finished && !this.#controller.aborted) {
			this.#controller.abort(error ?? new Error('The client went away.'));
		}

		callback(error);
	}

	deliver(chunk: Buffer): void {
		if (this.#attached) {
			this.#emit(chunk);
		} else {
			this.#early.push(chunk);
		}
	}

	finish(): void {
		this.#finished = true;
		if (this.#attached) {
			this.#end();
		}
	}

	fail(error: Error): void {
		this.#finished = true;
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

	#emit(chunk: Buffer): void {
		this.#observe?.(chunk);
		if (!this.push(chunk)) {
			this.#controller.pause();
		}
	}

	#end(): void {
		const last = this.#beforeEnd?.();
		if (last !== undefined) {
			this.push(last);
		}

		this.push(null);
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
		body?: string | undefined;
		signal?: AbortSignal | undefined;
	},
): Promise<UpstreamResponse> {
	const {signal} = options;
	return new Promise((resolve, reject) => {
		let controller: Dispatcher.DispatchController | undefined;
		let body: UpstreamBody | undefined;
		const onAbort = () => controller?.abort(new Error('The client went away.'));
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
						started.abort(new Error('The client went away.'));
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
