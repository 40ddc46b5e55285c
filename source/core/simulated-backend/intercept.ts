/**
The simulated backend's one injection hook: given as `intercept` in its options, it sees every model request
(`POST /backend-api/codex/responses`) and every refresh grant on `/oauth/token` once the account is known,
and may answer in the backend's place or bend the stream. Over HTTP the backend itself never misbehaves: the
fault catalogue the tests and the soak use lives in test/helpers/faults.ts. (The WebSocket mode still keeps
its injectable behaviours in ws-hub.ts.)
*/
export type Intercept = (request: InterceptedRequest) => Interception | undefined;

export type InterceptedRequest = {
	/** The model request, or the issuer's refresh grant. */
	readonly target: 'responses' | 'token';
	readonly account: {readonly name: string; readonly accountId: string; readonly plan: string};
	/** The account's usage headers as the backend would send them now (for answers that carry them). */
	readonly rateLimitHeaders: () => Record<string, string>;
};

/** What to do instead. Each part is optional; they apply in this order. */
export type Interception = {
	/** What the request log records as the request's fault. */
	readonly label: string;
	/** Real milliseconds to wait before answering. */
	readonly delayMs?: number;
	/** Answer with this status and JSON body (and headers) instead. */
	readonly answer?: {
		readonly status: number;
		readonly body: unknown;
		readonly headers?: Record<string, string>;
	};
	/** Cut the connection before any status. */
	readonly reset?: boolean;
	/** Rewrite the stream of a model request that is answered (ignored on `/oauth/token`). */
	readonly stream?: (planned: PlannedStream) => StreamPlan;
};

/** A model answer's stream as the backend planned it. */
export type PlannedStream = {
	/** The first write: `response.created` (after `codex.rate_limits` when that event is on). */
	readonly head: string;
	/** The events in between: items and deltas. */
	readonly body: readonly string[];
	/** The closing `response.completed`. */
	readonly completed: string;
	/** A closing `response.failed` with this error (`extra`: more fields of it, e.g. a usage limit's resets_at). */
	readonly failed: (code: string, message: string, extra?: Record<string, unknown>) => string;
};

/** What the stream writer sends: `head` at once, `rest` in the configured chunks, then an end or a cut. */
export type StreamPlan = {
	readonly head: string;
	readonly rest: readonly string[];
	/** `reset` destroys the socket after the last write instead of ending the response. */
	readonly ending: 'end' | 'reset';
};

/** The stream as planned, unchanged. */
export function plainStream(planned: PlannedStream): StreamPlan {
	return {head: planned.head, rest: [...planned.body, planned.completed], ending: 'end'};
}
