import type {ServerResponse} from 'node:http';
import {ClientRequestError} from '../http/body.ts';
import type {DispatchFailure} from '../proxy/dispatch-types.ts';

/** The `type` field of an OpenAI error body. */
export type OpenAiErrorType =
	| 'invalid_request_error'
	| 'authentication_error'
	| 'not_found_error'
	| 'rate_limit_error'
	| 'usage_limit_reached'
	| 'server_error'
	| 'upstream_error';

/**
A failure answered to an OpenAI-compatible client as `{"error":{"message","type","code","param"}}` with
`status`. Thrown by the translation modules for what cannot be translated, and built from the engine's
failures; the route handlers catch it and send it.
*/
export class OpenAiError extends Error {
	override name = 'OpenAiError';
	readonly status: number;
	readonly type: OpenAiErrorType;
	readonly code: string | null;
	readonly param: string | null;
	/** Extra fields kept in the error body (e.g. `resets_at`) and response headers (e.g. `retry-after`). */
	readonly extra: Readonly<Record<string, unknown>>;
	readonly headers: Readonly<Record<string, string>>;

	constructor(
		status: number,
		message: string,
		options: {
			type?: OpenAiErrorType;
			code?: string | null;
			param?: string | null;
			extra?: Record<string, unknown>;
			headers?: Record<string, string>;
		} = {},
	) {
		super(message);
		this.status = status;
		this.type = options.type ?? (status >= 500 ? 'server_error' : 'invalid_request_error');
		this.code = options.code ?? null;
		this.param = options.param ?? null;
		this.extra = options.extra ?? {};
		this.headers = options.headers ?? {};
	}

	/** The JSON body, in the OpenAI error shape. */
	toBody(): {error: Record<string, unknown>} {
		return {
			error: {message: this.message, type: this.type, code: this.code, param: this.param, ...this.extra},
		};
	}
}

/** A 400 for a request the pool cannot serve as asked; `param` names the offending field. */
export function badRequest(
	message: string,
	param: string | null = null,
	code = 'invalid_request',
): OpenAiError {
	return new OpenAiError(400, message, {type: 'invalid_request_error', code, param});
}

/** The types of the failures the pool decides itself (proxy/outcomes.ts), not the upstream's answers. */
const poolFailureTypes = new Set([
	'no_accounts',
	'no_usable_account',
	'accounts_failing',
	'upstream_unavailable',
]);

/**
Turns the engine's failure (upstream error shape) into the OpenAI shape. An exhausted pool keeps 429 and says
when the earliest account comes back; upstream 5xx become 502, except 503 (overloaded, no account) and 504.
*/
export function fromDispatchFailure(failure: DispatchFailure, now: number): OpenAiError {
	const {status, error} = failure;
	const upstreamMessage =
		typeof error.message === 'string' && error.message !== '' ? error.message : error.type;
	if (status === 429 && error.type === 'usage_limit_reached') {
		return usageLimitError(error, now);
	}

	if (status === 429) {
		return new OpenAiError(429, `The upstream is rate limiting the pool: ${upstreamMessage}`, {
			type: 'rate_limit_error',
			code: String(error.code ?? error.type),
		});
	}

	if (status === 401 || status === 403) {
		// The client's key was fine (we checked it); the pool's accounts were refused.
		return new OpenAiError(
			503,
			`No pool account could authenticate upstream: ${upstreamMessage}. Run \`codexpool accounts\` and log in again where needed.`,
			{
				type: 'server_error',
				code: String(error.type),
			},
		);
	}

	if (status === 404) {
		return new OpenAiError(404, upstreamMessage, {
			type: 'not_found_error',
			code: String(error.code ?? error.type),
		});
	}

	if (status >= 400 && status < 500) {
		return new OpenAiError(status, `The upstream refused the request: ${upstreamMessage}`, {
			type: 'invalid_request_error',
			code: String(error.code ?? error.type),
		});
	}

	if (poolFailureTypes.has(error.type)) {
		// The pool's own verdict (no account, none usable, the backend unreachable through all): its message
		// already says what is wrong and what to do.
		return new OpenAiError(status, upstreamMessage, {type: 'server_error', code: error.type});
	}

	const mapped = status === 503 || status === 504 ? status : 502;
	const said = upstreamMessage.replace(/[.\s]+$/, '');
	return new OpenAiError(mapped, `The upstream failed (${status}): ${said}. Try again shortly.`, {
		type: 'upstream_error',
		code: String(error.code ?? error.type),
	});
}

function usageLimitError(error: DispatchFailure['error'], now: number): OpenAiError {
	const resetsAt = typeof error.resets_at === 'number' ? error.resets_at : undefined;
	const resetsIn =
		typeof error.resets_in_seconds === 'number'
			? error.resets_in_seconds
			: resetsAt === undefined
				? undefined
				: Math.max(0, Math.round(resetsAt - now / 1000));
	const when =
		resetsAt === undefined
			? 'Try again later.'
			: `The earliest account resets at ${new Date(resetsAt * 1000).toISOString()} (resets_at ${resetsAt}, in ${resetsIn} s).`;
	const setAside = typeof error.set_aside === 'string' ? ` Set aside: ${error.set_aside}.` : '';
	return new OpenAiError(429, `Every account in the pool has reached its usage limit. ${when}${setAside}`, {
		type: 'usage_limit_reached',
		code: 'usage_limit_reached',
		extra: {resets_at: resetsAt ?? null, resets_in_seconds: resetsIn ?? null},
		// The OpenAI SDKs retry a 429 after a few seconds unless told not to; that only helps when a reset is near.
		headers: {
			...(resetsIn === undefined ? {} : {'retry-after': String(resetsIn)}),
			'x-should-retry': resetsIn !== undefined && resetsIn <= 60 ? 'true' : 'false',
		},
	});
}

/**
Maps a `response.failed` error code (from inside a stream that had already been accepted) to a status, for
answers that are not streamed yet: the client has not seen a byte, so it gets a proper HTTP error.
*/
export function fromStreamFailure(error: {code?: unknown; message?: unknown} | undefined): OpenAiError {
	const code = typeof error?.code === 'string' ? error.code : 'response_failed';
	const message = typeof error?.message === 'string' ? error.message : 'The upstream response failed.';
	const statuses: Record<string, number> = {
		rate_limit_exceeded: 429,
		usage_limit_reached: 429,
		insufficient_quota: 429,
		context_length_exceeded: 400,
		invalid_prompt: 400,
		server_is_overloaded: 503,
		slow_down: 503,
	};
	const status = statuses[code] ?? 502;
	const type: OpenAiErrorType =
		status === 429 ? 'rate_limit_error' : status === 400 ? 'invalid_request_error' : 'upstream_error';
	return new OpenAiError(status, message, {type, code});
}

/** Sends an error unless headers are out already, in which case the connection is cut (nothing else is honest). */
export function sendError(res: ServerResponse, error: OpenAiError): void {
	if (res.headersSent) {
		res.destroy();
		return;
	}

	const body = JSON.stringify(error.toBody());
	res.writeHead(error.status, {
		'content-type': 'application/json',
		'content-length': Buffer.byteLength(body),
		...error.headers,
	});
	res.end(body);
}

/** Any thrown value as an OpenAiError: unknown errors become a 500 whose message says what went wrong. */
export function toOpenAiError(error: unknown): OpenAiError {
	if (error instanceof OpenAiError) {
		return error;
	}

	if (error instanceof ClientRequestError) {
		return new OpenAiError(error.status, error.message, {code: error.code});
	}

	const message = error instanceof Error ? error.message : String(error);
	return new OpenAiError(500, `The pool failed to handle the request: ${message}`, {
		type: 'server_error',
		code: 'internal_error',
	});
}
