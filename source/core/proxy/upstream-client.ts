import {Agent, type Dispatcher} from 'undici';
import {requestUpstream, type UpstreamResponse} from './upstream-body.ts';
import {classifyHttpFailure, classifyTransportFailure, type UpstreamFailure} from './upstream-errors.ts';

/**
Supplies each account's access token. The core passes the token manager; `refreshAfter401` refreshes once
(single flight per account) unless another caller already replaced `failedToken`, and throws when the
account needs a fresh login (a `NeedsLoginError`, an error with `needsLogin: true` or a permanent `code`).
*/
export type TokenSource = {
	getAccessToken: (accountId: string) => Promise<string>;
	refreshAfter401: (accountId: string, failedToken: string) => Promise<string>;
};

/** Refresh refusals that only a new login cures (`upstream-protocol.md` §2). */
const PERMANENT_CODES = new Set([
	'refresh_token_reused',
	'refresh_token_expired',
	'refresh_token_invalidated',
	'invalid_grant',
	'token_invalidated',
	'token_expired',
	'app_session_terminated',
]);

/** Whether a token error means the account needs a fresh login. */
export function needsLoginError(error: unknown): boolean {
	const candidate = error as {needsLogin?: unknown; code?: unknown; name?: unknown} | undefined;
	return (
		candidate?.needsLogin === true ||
		candidate?.name === 'NeedsLoginError' ||
		(typeof candidate?.code === 'string' && PERMANENT_CODES.has(candidate.code))
	);
}

/** Where the ChatGPT backend lives: origin plus path prefix (`/backend-api`). */
export type UpstreamBase = {readonly origin: string; readonly prefix: string};

export function parseUpstreamBase(base: string): UpstreamBase {
	const url = new URL(base);
	return {origin: url.origin, prefix: url.pathname.replace(/\/+$/, '')};
}

/** The keep-alive pool every upstream request goes through. */
export function createUpstreamAgent(): Agent {
	return new Agent({
		keepAliveTimeout: 30_000,
		keepAliveMaxTimeout: 600_000,
		connections: 256,
		// Codex waits up to 300 s on an idle stream; the upstream may think that long before its first byte.
		headersTimeout: 300_000,
		bodyTimeout: 300_000,
	});
}

export type UpstreamAnswer =
	| {readonly ok: true; readonly response: UpstreamResponse}
	| {
			readonly ok: false;
			readonly failure: UpstreamFailure;
			readonly status: number | undefined;
			readonly text: string;
			readonly headers: Record<string, string | string[] | undefined>;
	  };

/**
Sends one request and sorts the answer: a 2xx comes back with its body unread; anything else is read
(bounded) and classified.
*/
export async function send(
	dispatcher: Dispatcher,
	base: UpstreamBase,
	request: {
		method: 'GET' | 'POST';
		path: string;
		headers: Record<string, string>;
		body?: string | Buffer;
		signal?: AbortSignal;
	},
	now: () => number,
): Promise<UpstreamAnswer> {
	let response: UpstreamResponse;
	try {
		response = await requestUpstream(dispatcher, {
			origin: base.origin,
			path: base.prefix + request.path,
			method: request.method,
			headers: request.headers,
			body: request.body,
			signal: request.signal,
		});
	} catch (error) {
		return {ok: false, failure: classifyTransportFailure(error), status: undefined, text: '', headers: {}};
	}

	if (response.statusCode >= 200 && response.statusCode < 300) {
		return {ok: true, response};
	}

	let text = '';
	try {
		text = (await response.body.text()).slice(0, 64 * 1024);
	} catch {
		// A body cut short still leaves the status to classify.
	}

	return {
		ok: false,
		failure: classifyHttpFailure(response.statusCode, text, now()),
		status: response.statusCode,
		text,
		headers: response.headers,
	};
}
