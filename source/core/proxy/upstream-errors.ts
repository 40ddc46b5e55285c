import {isUsageLimitError, resetOfError} from '../pool/exhaustion.ts';
/**
Every way an upstream attempt can fail, sorted once: the engine reads from this both whether to fail over
(and how to mark the account) and what the client would see.
*/
export type UpstreamFailure =
	/** 429 usage_limit_reached: the account is exhausted until `resetsAt` (ms) when the body says. */
	| {readonly kind: 'usage-limit'; readonly resetsAt: number | undefined; readonly message: string}
	/** 429 rate_limit_exceeded (or another 429): a short rest, `retryAfterMs` when the message says. */
	| {readonly kind: 'rate-limit'; readonly retryAfterMs: number | undefined; readonly message: string}
	| {readonly kind: 'unauthorized'; readonly message: string}
	| {readonly kind: 'server'; readonly status: number; readonly message: string}
	| {readonly kind: 'invalid-encrypted-content'; readonly message: string}
	| {readonly kind: 'connect' | 'reset' | 'timeout'; readonly message: string}
	/** Any other status: the request's own fault, passed through to the client unchanged. */
	| {readonly kind: 'client-error'; readonly status: number; readonly message: string};

type ErrorBody = {
	error?: {
		type?: unknown;
		code?: unknown;
		message?: unknown;
		resets_at?: unknown;
		resets_in_seconds?: unknown;
	};
	detail?: unknown;
};

function parse(text: string): ErrorBody {
	try {
		const parsed: unknown = JSON.parse(text);
		return typeof parsed === 'object' && parsed !== null ? (parsed as ErrorBody) : {};
	} catch {
		return {};
	}
}

/** "try again in 1.5s" / "in 250ms" / "in 3 seconds" → ms. */
export function parseRetryDelay(message: string): number | undefined {
	const match = /try again in\s*([\d.]+)\s*(ms|s|sec|secs|seconds?)\b/i.exec(message);
	if (match === null) {
		return undefined;
	}

	const value = Number(match[1]);
	return match[2]?.toLowerCase() === 'ms' ? value : value * 1000;
}

/** Classifies a non-2xx upstream answer from its status and body text. */
export function classifyHttpFailure(status: number, text: string, now: number): UpstreamFailure {
	const body = parse(text);
	const error = body.error ?? {};
	const type = typeof error.type === 'string' ? error.type : undefined;
	const code = typeof error.code === 'string' ? error.code : undefined;
	const message =
		typeof error.message === 'string'
			? error.message
			: typeof body.detail === 'string'
				? body.detail
				: `upstream answered ${status}`;

	if (status === 429) {
		if (isUsageLimitError(error)) {
			return {kind: 'usage-limit', resetsAt: resetOfError(error, now), message};
		}

		return {kind: 'rate-limit', retryAfterMs: parseRetryDelay(message), message};
	}

	if (status === 401) {
		return {kind: 'unauthorized', message};
	}

	if (status >= 500) {
		return {kind: 'server', status, message};
	}

	if (status === 400 && (code === 'invalid_encrypted_content' || type === 'invalid_encrypted_content')) {
		return {kind: 'invalid-encrypted-content', message};
	}

	return {kind: 'client-error', status, message};
}

/** Classifies a transport error of undici (no HTTP answer at all). */
export function classifyTransportFailure(error: unknown): UpstreamFailure {
	const code = (error as {code?: unknown})?.code;
	const message = error instanceof Error ? error.message : String(error);
	if (
		code === 'UND_ERR_HEADERS_TIMEOUT' ||
		code === 'UND_ERR_CONNECT_TIMEOUT' ||
		code === 'UND_ERR_BODY_TIMEOUT'
	) {
		return {kind: 'timeout', message};
	}

	if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EHOSTUNREACH') {
		return {kind: 'connect', message};
	}

	return {kind: 'reset', message};
}

/** Whether the engine tries another account after this failure (before any byte reached the client). */
export function failsOver(failure: UpstreamFailure): boolean {
	return failure.kind !== 'client-error' && failure.kind !== 'invalid-encrypted-content';
}
