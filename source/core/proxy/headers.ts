import type {IncomingHttpHeaders} from 'node:http';

/** RFC 9110 §7.6.1 hop-by-hop headers, plus the proxy-* family and `host` (undici sets its own). */
export const HOP_BY_HOP: ReadonlySet<string> = new Set([
	'connection',
	'keep-alive',
	'proxy-authenticate',
	'proxy-authorization',
	'proxy-connection',
	'te',
	'trailer',
	'transfer-encoding',
	'upgrade',
	'host',
]);

/** Never forwarded upstream: the client's own credentials, and what the proxy recomputes. */
const CLIENT_ONLY = new Set([
	'authorization',
	'chatgpt-account-id',
	'cookie',
	'content-length',
	'content-encoding',
	'accept-encoding',
	'x-api-key',
	'openai-organization',
	'openai-project',
]);

const noNames: ReadonlySet<string> = new Set();

/** Headers the `Connection` header names are hop-by-hop too (RFC 9110 §7.6.1). */
function connectionNamed(
	headers: Readonly<Record<string, string | string[] | undefined>>,
): ReadonlySet<string> {
	// undici and node give lower-case names; a hand-built map may not.
	const value = headers.connection ?? headers.Connection;
	if (value === undefined) {
		return noNames;
	}

	const text = Array.isArray(value) ? value.join(',') : value;
	return new Set(
		text
			.split(',')
			.map((name) => name.trim().toLowerCase())
			.filter(Boolean),
	);
}

/** Flattens node's incoming headers to single strings (lower-case names). */
export function flattenHeaders(headers: IncomingHttpHeaders): Record<string, string | undefined> {
	const flat: Record<string, string | undefined> = {};
	for (const [name, value] of Object.entries(headers)) {
		flat[name] = Array.isArray(value) ? value.join(', ') : value;
	}

	return flat;
}

/**
The headers to send upstream for one account: the client's, minus hop-by-hop and client-only ones (and
`x-codex-turn-state` when the request moves, since it routes to the account that issued it), plus the
account's token and `ChatGPT-Account-ID`.
*/
export function upstreamRequestHeaders(
	client: Readonly<Record<string, string | undefined>>,
	account: {readonly accessToken: string; readonly accountId: string},
	options: {readonly dropTurnState: boolean; readonly accept?: string},
): Record<string, string> {
	const named = connectionNamed(client);
	const headers: Record<string, string> = {};
	for (const [name, value] of Object.entries(client)) {
		if (
			value === undefined ||
			HOP_BY_HOP.has(name) ||
			CLIENT_ONLY.has(name) ||
			named.has(name) ||
			(options.dropTurnState && name === 'x-codex-turn-state')
		) {
			continue;
		}

		headers[name] = value;
	}

	headers.authorization = `Bearer ${account.accessToken}`;
	headers['chatgpt-account-id'] = account.accountId;
	headers['content-type'] = 'application/json';
	if (options.accept !== undefined) {
		headers.accept = options.accept;
	}

	return headers;
}

/** Response headers to pass to the client: hop-by-hop and length removed (the body is re-streamed). */
export function clientResponseHeaders(
	upstream: Readonly<Record<string, string | string[] | undefined>>,
): Record<string, string> {
	const named = connectionNamed(upstream);
	const headers: Record<string, string> = {};
	// for…in, not Object.entries: no pair arrays on a path every response takes.
	for (const name in upstream) {
		const value = upstream[name];
		const lower = name.toLowerCase();
		if (value === undefined || HOP_BY_HOP.has(lower) || named.has(lower) || lower === 'content-length') {
			continue;
		}

		headers[lower] = Array.isArray(value) ? value.join(', ') : value;
	}

	return headers;
}
