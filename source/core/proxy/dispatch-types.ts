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
	The body (SSE for `/codex/responses`). Consume it to the end or destroy it; the engine watches it to record
	usage and the accounts that issued encrypted items.
	*/
	readonly body: Readable;
};

export type DispatchResult = DispatchSuccess | DispatchFailure;

export type Dispatch = (request: DispatchRequest) => Promise<DispatchResult>;
