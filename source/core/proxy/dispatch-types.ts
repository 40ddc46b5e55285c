import type {Readable} from 'node:stream';

/**
The contract between the pool's forwarding engine (owned by the proxy) and every front door that uses it:
Codex CLI's own `/backend-api/codex/*` routes and the OpenAI-compatible `/v1/*` routes. A front door turns
its client's request into a Responses request for the ChatGPT backend and calls `dispatch`; the engine
picks the account (strategy, affinity, marks), swaps in that account's credentials, strips items bound to
other accounts, fails over before anything is returned, and records usage, moves and the request log.
*/
export type DispatchRequest = {
	/** Upstream path below the backend base, e.g. `/codex/responses` or `/codex/responses/compact`. */
	readonly path: string;
	/** The Responses body as the ChatGPT backend expects it (already normalised by the front door). */
	readonly body: Record<string, unknown>;
	/**
	The body as the client sent it when it compressed it with zstd (Codex CLI does): while the pool changes
	nothing these bytes go upstream as they came, a third of the plain body's size; a changed body is compressed
	again.
	*/
	readonly sentZstd?: Buffer | undefined;
	/**
	The client's request headers (lower-case names). The engine reads session hints and passes through the
	ones the backend understands; it never forwards the client's own credentials.
	*/
	readonly headers: Readonly<Record<string, string | undefined>>;
	/** Aborted when the client goes away: the engine aborts the upstream request. */
	readonly signal: AbortSignal;
	/** A short name of the client for the sessions view (`codex_exec`, `openai-node`, ...). */
	readonly client: string;
};

/** An error the engine answers with when no account could serve the request. */
export type DispatchFailure = {
	readonly ok: false;
	readonly status: number;
	/** In the upstream's shape, e.g. `{type: 'usage_limit_reached', message, resets_at, resets_in_seconds}`. */
	readonly error: {readonly type: string; readonly message: string; readonly [key: string]: unknown};
};

/** The upstream's answer, chosen before any byte went to the client. */
export type DispatchSuccess = {
	readonly ok: true;
	readonly status: number;
	/** Response headers to pass on (hop-by-hop already removed). */
	readonly headers: Readonly<Record<string, string>>;
	readonly accountId: string;
	readonly sessionId: string;
	/**
	The body (SSE for `/codex/responses`). Read it to the end or cancel it; the engine watches it to record
	usage and the accounts that issued encrypted items.
	*/
	readonly body: DispatchBody;
};

/**
Where `DispatchBody.sinkTo` hands the body's chunks: straight from undici's handler, with no stream in between
(the client's response on the hot path, see `respond.ts`).
*/
export type BodySink = {
	/** Takes a chunk; false when full: the upstream stays paused until the sink's owner calls `drained`. */
	write(chunk: Buffer): boolean;
	/** The body ended (after its last chunk, the engine's closing event included, went through `write`). */
	end(): void;
	/** The upstream's body broke after some chunks went by. */
	fail(error: Error): void;
};

/**
The body of a dispatched answer, read one way only: through `sinkTo` (the fast path that streams to a Codex
client: each upstream chunk goes to the sink in one call, no stream machinery per chunk), through
`toReadable` (the OpenAI translator reads events from it), or whole with `text`. The hot path depends on
`sinkTo` being a real method of the body, so it is part of the contract rather than found by a downcast.
*/
export type DispatchBody = {
	/** Feeds every chunk to `sink`, with backpressure: a `false` from `write` pauses the upstream. */
	sinkTo(sink: BodySink): void;
	/** The sink has room again: the upstream resumes. */
	drained(): void;
	/** The body as a stream of Buffers (emits 'end', 'error' and 'close' in sink mode too). */
	toReadable(): Readable;
	/** Reads the rest as UTF-8 text (error bodies). */
	text(): Promise<string>;
	/** Stops reading before the end (the client went away): the upstream request is aborted. A no-op once ended. */
	cancel(): void;
};

export type DispatchResult = DispatchSuccess | DispatchFailure;

export type Dispatch = (request: DispatchRequest) => Promise<DispatchResult>;
