import type {IncomingMessage} from 'node:http';
import {decompress} from 'fzstd';
import type {Refusal} from './reply.ts';

/**
A request refused while its body is read: the status, a code and a message that says what to do. The server
answers it in the door's shape; the `/v1` handlers turn it into an OpenAI error.
*/
export class ClientRequestError extends Error implements Refusal {
	override name = 'ClientRequestError';
	readonly status: number;
	readonly code: string;

	constructor(status: number, code: string, message: string) {
		super(message);
		this.status = status;
		this.code = code;
	}
}

/** Codex resends the whole conversation every turn (images included), so bodies get large. */
export const DEFAULT_MAX_BODY_BYTES = 32 * 1024 * 1024;

const tooLarge = (maxBytes: number) =>
	new ClientRequestError(
		413,
		'request_too_large',
		`The request body is larger than ${maxBytes} bytes (settings.maxBodyBytes).`,
	);

/** A request body read whole: its plain bytes, and the bytes as sent when the client compressed them. */
export type ReadBody = {
	readonly plain: Buffer;
	/** The zstd bytes as they came (Codex CLI compresses under the built-in provider), to forward unchanged. */
	readonly zstd: Buffer | undefined;
};

/**
Reads the whole request body, at most `maxBytes`, decoding `Content-Encoding: zstd` (Codex CLI sends it under
the built-in provider). Any other encoding is a 415.
*/
export async function readRequestBody(
	request: IncomingMessage,
	maxBytes = DEFAULT_MAX_BODY_BYTES,
): Promise<Buffer> {
	return (await readBody(request, maxBytes)).plain;
}

async function readBody(request: IncomingMessage, maxBytes: number): Promise<ReadBody> {
	const encoding = (request.headers['content-encoding'] ?? '').toLowerCase().trim();
	if (encoding !== '' && encoding !== 'identity' && encoding !== 'zstd') {
		throw new ClientRequestError(
			415,
			'unsupported_content_encoding',
			`Content-Encoding "${encoding}" is not supported: send the body plain or zstd-compressed.`,
		);
	}

	const chunks: Buffer[] = [];
	let size = 0;
	for await (const chunk of request) {
		size += (chunk as Buffer).length;
		if (size > maxBytes) {
			throw tooLarge(maxBytes);
		}

		chunks.push(chunk as Buffer);
	}

	const raw = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
	if (encoding !== 'zstd') {
		return {plain: raw, zstd: undefined};
	}

	let decoded: Buffer;
	try {
		decoded = Buffer.from(decompress(raw));
	} catch {
		throw new ClientRequestError(
			400,
			'invalid_request_body',
			'The zstd-compressed request body could not be decoded.',
		);
	}

	if (decoded.length > maxBytes) {
		throw tooLarge(maxBytes);
	}

	return {plain: decoded, zstd: raw};
}

/**
Refuses a body not declared as JSON (415). Besides saying what is wrong, this keeps web pages out a second
way (the access policy refuses their Origin first): a page can POST text/plain or a form to 127.0.0.1 without
a CORS preflight, but not application/json.
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

export type JsonBodyOptions = {
	readonly maxBytes?: number;
	/** What an empty body means (the admin API's actions take none); undefined: an empty body is not JSON. */
	readonly empty?: Record<string, unknown>;
};

/** Reads a JSON object body: 415 unless declared JSON, 413 past the limit, 400 unless a JSON object. */
export async function readJsonBody(
	request: IncomingMessage,
	options: JsonBodyOptions = {},
): Promise<Record<string, unknown>> {
	return (await readJsonRequest(request, options)).body;
}

/** As `readJsonBody`, also keeping the zstd bytes the client sent (the Codex door forwards them when unchanged). */
export async function readJsonRequest(
	request: IncomingMessage,
	options: JsonBodyOptions = {},
): Promise<{readonly body: Record<string, unknown>; readonly zstd: Buffer | undefined}> {
	requireJsonContentType(request);
	const read = await readBody(request, options.maxBytes ?? DEFAULT_MAX_BODY_BYTES);
	const text = read.plain.toString('utf8');
	if (options.empty !== undefined && text.trim() === '') {
		return {body: options.empty, zstd: undefined};
	}

	let parsed: unknown;
	try {
		parsed = JSON.parse(text);
	} catch (error) {
		const reason = error instanceof Error ? error.message : String(error);
		throw new ClientRequestError(
			400,
			'invalid_json',
			`The request body is not valid JSON (${reason}). Send a JSON object with Content-Type: application/json.`,
		);
	}

	if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
		throw new ClientRequestError(400, 'invalid_request_body', 'The request body must be a JSON object.');
	}

	return {body: parsed as Record<string, unknown>, zstd: read.zstd};
}
