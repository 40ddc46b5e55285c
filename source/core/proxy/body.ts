import type {IncomingMessage} from 'node:http';
import {decompress} from 'fzstd';

/** A request the proxy refuses before forwarding it: status and a message that says what to do. */
export class ClientRequestError extends Error {
	override name = 'ClientRequestError';
	readonly status: number;
	readonly type: string;

	constructor(status: number, type: string, message: string) {
		super(message);
		this.status = status;
		this.type = type;
	}
}

export const DEFAULT_MAX_BODY_BYTES = 32 * 1024 * 1024;

/** Reads the whole request body, decoding `Content-Encoding: zstd` (Codex CLI sends it under the built-in provider). */
export async function readRequestBody(
	request: IncomingMessage,
	maxBytes = DEFAULT_MAX_BODY_BYTES,
): Promise<Buffer> {
	const chunks: Buffer[] = [];
	let size = 0;
	for await (const chunk of request) {
		size += (chunk as Buffer).length;
		if (size > maxBytes) {
			throw new ClientRequestError(
				413,
				'request_too_large',
				`The request body is larger than ${maxBytes} bytes.`,
			);
		}

		chunks.push(chunk as Buffer);
	}

	const raw = Buffer.concat(chunks);
	const encoding = (request.headers['content-encoding'] ?? '').toLowerCase().trim();
	if (encoding === '' || encoding === 'identity') {
		return raw;
	}

	if (encoding !== 'zstd') {
		throw new ClientRequestError(
			415,
			'unsupported_content_encoding',
			`Content-Encoding "${encoding}" is not supported: send the body plain or zstd-compressed.`,
		);
	}

	try {
		const decoded = Buffer.from(decompress(raw));
		if (decoded.length > maxBytes) {
			throw new ClientRequestError(
				413,
				'request_too_large',
				`The request body is larger than ${maxBytes} bytes.`,
			);
		}

		return decoded;
	} catch (error) {
		if (error instanceof ClientRequestError) {
			throw error;
		}

		throw new ClientRequestError(
			400,
			'invalid_request_body',
			'The zstd-compressed request body could not be decoded.',
		);
	}
}

/** Reads and parses a JSON object body. */
export async function readJsonBody(
	request: IncomingMessage,
	maxBytes?: number,
): Promise<Record<string, unknown>> {
	requireJsonContentType(request);
	const raw = await readRequestBody(request, maxBytes);
	let parsed: unknown;
	try {
		parsed = JSON.parse(raw.toString('utf8'));
	} catch {
		throw new ClientRequestError(400, 'invalid_request_body', 'The request body is not valid JSON.');
	}

	if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
		throw new ClientRequestError(400, 'invalid_request_body', 'The request body must be a JSON object.');
	}

	return parsed as Record<string, unknown>;
}

/**
Refuses a body not declared as JSON (415). Besides saying what is wrong, this keeps web pages out: a page can
POST text/plain or a form to 127.0.0.1 without a CORS preflight, but not application/json.
*/
export function requireJsonContentType(request: IncomingMessage): void {
	const type = (request.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
	if (type !== 'application/json' && !/^application\/[\w.+-]+\+json$/.test(type)) {
		throw new ClientRequestError(
			415,
			'unsupported_media_type',
			`The request body must be JSON sent with Content-Type: application/json (got ${type === '' ? 'no Content-Type' : JSON.stringify(type)}).`,
		);
	}
}
