import type {IncomingMessage, ServerResponse} from 'node:http';

/** Writes a JSON answer. Errors and snapshots go through here: neither ever contains a token. */
export function sendJson(response: ServerResponse, status: number, body: unknown): void {
	const text = JSON.stringify(body);
	response.writeHead(status, {
		'content-type': 'application/json; charset=utf-8',
		'content-length': Buffer.byteLength(text),
		'cache-control': 'no-store',
	});
	response.end(text);
}

export type JsonBody =
	| {readonly ok: true; readonly value: Record<string, unknown>}
	| {readonly ok: false; readonly status: number; readonly message: string};

/** Reads a JSON object body of at most `limit` bytes; an empty body is `{}`. */
export async function readJsonBody(request: IncomingMessage, limit: number): Promise<JsonBody> {
	const chunks: Buffer[] = [];
	let size = 0;
	for await (const chunk of request as AsyncIterable<Buffer>) {
		size += chunk.length;
		if (size > limit) {
			return {ok: false, status: 413, message: `The body is larger than ${limit} bytes.`};
		}

		chunks.push(chunk);
	}

	const text = Buffer.concat(chunks).toString('utf8').trim();
	if (text === '') {
		return {ok: true, value: {}};
	}

	try {
		const value: unknown = JSON.parse(text);
		if (typeof value !== 'object' || value === null || Array.isArray(value)) {
			return {ok: false, status: 400, message: 'The body must be a JSON object.'};
		}

		return {ok: true, value: value as Record<string, unknown>};
	} catch (error) {
		return {ok: false, status: 400, message: `The body is not valid JSON: ${(error as Error).message}`};
	}
}
