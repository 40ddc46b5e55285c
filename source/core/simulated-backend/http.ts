import type {IncomingMessage, ServerResponse} from 'node:http';
import {decompress} from 'fzstd';

/** One request the simulated upstream received, as tests see it in `upstream.log`. */
export type LoggedRequest = {
	/** 1, 2, 3... in arrival order. */
	readonly seq: number;
	/** Clock ms at arrival; quota decisions and charges are made at this moment (windows start on arrival). */
	readonly at: number;
	readonly method: string;
	/** Path with query. */
	readonly path: string;
	/** Request headers, lower-case names, as received. */
	readonly headers: Readonly<Record<string, string | string[] | undefined>>;
	/** Parsed body (JSON or form fields) when `logBodies` is on and it parsed. */
	body?: unknown;
	/** Bytes on the wire and whether they were zstd. */
	bodyBytes?: number;
	zstd?: boolean;
	/** The account the request was authorised as (name), when it was. */
	account?: string;
	/** HTTP status sent; 0 when the connection was cut before any status. */
	status: number;
	/** The fault injected into this request, if any. */
	fault?: string;
};

/** A request in flight: the Node pair plus its log entry. */
export type Exchange = {
	readonly req: IncomingMessage;
	readonly res: ServerResponse;
	readonly url: URL;
	readonly entry: LoggedRequest;
};

/** A refusal: the status, the JSON body and any extra headers the handler answers with. */
export class HttpError extends Error {
	readonly status: number;
	readonly body: unknown;
	readonly headers: Record<string, string>;
	constructor(status: number, body: unknown, headers: Record<string, string> = {}) {
		super(`HTTP ${status}`);
		this.status = status;
		this.body = body;
		this.headers = headers;
	}
}

/** Reads the whole body, decoding `Content-Encoding: zstd` as Codex CLI sends it. */
export async function readBody(exchange: Exchange): Promise<Buffer> {
	const chunks: Buffer[] = [];
	for await (const chunk of exchange.req) {
		chunks.push(chunk as Buffer);
	}

	const raw = Buffer.concat(chunks);
	exchange.entry.bodyBytes = raw.length;
	const encoding = String(exchange.req.headers['content-encoding'] ?? '').toLowerCase();
	if (encoding === 'zstd') {
		exchange.entry.zstd = true;
		try {
			return Buffer.from(decompress(raw));
		} catch (error) {
			throw new HttpError(400, {
				error: {
					type: 'invalid_request_error',
					message: `Could not decode the zstd request body: ${(error as Error).message}`,
				},
			});
		}
	}

	if (encoding && encoding !== 'identity') {
		throw new HttpError(415, {
			error: {type: 'invalid_request_error', message: `Unsupported Content-Encoding: ${encoding}`},
		});
	}

	return raw;
}

/** Parses a JSON or form-urlencoded body into an object (the issuer accepts both). */
export function parseFields(exchange: Exchange, raw: Buffer): Record<string, unknown> {
	const type = String(exchange.req.headers['content-type'] ?? '');
	const text = raw.toString('utf8');
	if (type.includes('application/x-www-form-urlencoded')) {
		return Object.fromEntries(new URLSearchParams(text));
	}

	try {
		const value: unknown = JSON.parse(text);
		if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
			return value as Record<string, unknown>;
		}
	} catch {
		// Falls through to the error below.
	}

	throw new HttpError(400, {
		error: {type: 'invalid_request_error', message: 'The body must be a JSON object.'},
	});
}

export function sendJson(
	exchange: Exchange,
	status: number,
	body: unknown,
	headers: Record<string, string> = {},
): void {
	const text = JSON.stringify(body);
	exchange.entry.status = status;
	exchange.res.writeHead(status, {
		'content-type': 'application/json',
		'content-length': Buffer.byteLength(text),
		...headers,
	});
	exchange.res.end(text);
}

/** The request's bearer token and account header, the two things every backend call must carry. */
export function credentials(exchange: Exchange) {
	const accountHeader = exchange.req.headers['chatgpt-account-id'];
	return {
		authorization: exchange.req.headers.authorization,
		accountId: Array.isArray(accountHeader) ? accountHeader[0] : accountHeader,
	};
}
