import {once} from 'node:events';
import type {IncomingMessage, ServerResponse} from 'node:http';
import type {AddressInfo} from 'node:net';
import {keyPrefix, type PoolKeys} from '../keys/pool-keys.ts';
import {OpenAiError} from './errors.ts';

/** Reads and parses a JSON request body: 413 past `maxBytes`, 415 when encoded, 400 when not JSON. */
export async function readJsonBody(req: IncomingMessage, maxBytes: number): Promise<unknown> {
	// A web page can POST text/plain or a form to 127.0.0.1 without a CORS preflight, but not JSON.
	const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
	if (type !== 'application/json' && !/^application\/[\w.+-]+\+json$/.test(type)) {
		throw new OpenAiError(
			415,
			`The request body must be JSON sent with Content-Type: application/json (got ${type === '' ? 'no Content-Type' : JSON.stringify(type)}).`,
			{code: 'unsupported_media_type'},
		);
	}

	const encoding = (req.headers['content-encoding'] ?? 'identity').toLowerCase().trim();
	if (encoding !== 'identity' && encoding !== '') {
		throw new OpenAiError(
			415,
			`Content-Encoding "${encoding}" is not supported on /v1: send the JSON body uncompressed.`,
			{
				code: 'unsupported_content_encoding',
			},
		);
	}

	const chunks: Buffer[] = [];
	let size = 0;
	for await (const chunk of req) {
		size += (chunk as Buffer).length;
		if (size > maxBytes) {
			throw new OpenAiError(
				413,
				`The request body is larger than ${maxBytes} bytes (settings.maxBodyBytes).`,
				{code: 'request_too_large'},
			);
		}

		chunks.push(chunk as Buffer);
	}

	const text = Buffer.concat(chunks).toString('utf8');
	try {
		return JSON.parse(text) as unknown;
	} catch (error) {
		const reason = error instanceof Error ? error.message : String(error);
		throw new OpenAiError(
			400,
			`The request body is not valid JSON (${reason}). Send a JSON object with Content-Type: application/json.`,
			{
				code: 'invalid_json',
			},
		);
	}
}

/** Whether an address is the local machine (IPv4 127/8, IPv6 ::1, or IPv4-mapped loopback). */
export function isLoopback(address: string | undefined): boolean {
	if (address === undefined) {
		return false;
	}

	const plain = address.startsWith('::ffff:') ? address.slice(7) : address;
	return plain === '::1' || plain === 'localhost' || /^127\.\d+\.\d+\.\d+$/.test(plain);
}

/** The address the server accepting `req` is bound to (`0.0.0.0` for all interfaces), when known. */
function boundHost(req: IncomingMessage): string | undefined {
	const server = (req.socket as {server?: {address?: () => AddressInfo | string | null}}).server;
	const address = server?.address?.();
	return typeof address === 'object' && address !== null ? address.address : undefined;
}

/**
Checks the client's pool key. A `cxp_` key must be a valid one, always (a wrong or revoked key is a 401 even
on loopback). Without one (no header, or a placeholder such as `sk-unused`, which the SDKs insist on sending)
the request passes only from a loopback client of a loopback-bound server with `requireKey` off; a server
bound beyond loopback requires a pool key from everyone.
*/
export function authorize(
	req: IncomingMessage,
	options: {keys: Pick<PoolKeys, 'verify'>; requireKey: boolean; bindHost?: string | undefined},
): void {
	const header = req.headers.authorization ?? '';
	const match = /^bearer\s*(.*)$/i.exec(header.trim());
	const presented = match?.[1]?.trim() ?? '';
	const howTo = 'Create one with `codexpool keys create` and send it as `Authorization: Bearer cxp_...`.';
	if (presented.startsWith(keyPrefix)) {
		if (options.keys.verify(presented) === undefined) {
			throw new OpenAiError(401, `Incorrect pool key provided (unknown or revoked). ${howTo}`, {
				type: 'authentication_error',
				code: 'invalid_api_key',
			});
		}

		return;
	}

	const localOnly = isLoopback(options.bindHost ?? boundHost(req)) && isLoopback(req.socket.remoteAddress);
	if (options.requireKey || !localOnly) {
		const why = options.requireKey
			? 'this pool requires a key (requireKey is on)'
			: 'the pool is reachable beyond this machine';
		const what = presented === '' ? 'A pool key is required' : 'That is not a pool key, and one is required';
		throw new OpenAiError(401, `${what}: ${why}. ${howTo}`, {
			type: 'authentication_error',
			code: presented === '' ? 'missing_api_key' : 'invalid_api_key',
		});
	}
}

/** A short client name for the sessions view, from the User-Agent the SDKs send. */
export function clientName(req: IncomingMessage): string {
	const agent = req.headers['user-agent'] ?? '';
	if (/^OpenAI\/JS/i.test(agent)) {
		return 'openai-node';
	}

	if (/^OpenAI\/Python/i.test(agent)) {
		return 'openai-python';
	}

	if (/opencode/i.test(agent)) {
		return 'opencode';
	}

	const first = /^([A-Za-z][\w.-]*)/.exec(agent)?.[1];
	return first === undefined ? 'openai-compatible' : first.toLowerCase();
}

/** Sends a JSON body with its length. */
export function sendJson(res: ServerResponse, status: number, body: unknown): void {
	const text = JSON.stringify(body);
	res.writeHead(status, {'content-type': 'application/json', 'content-length': Buffer.byteLength(text)});
	res.end(text);
}

/** Starts an SSE answer. */
export function startSse(res: ServerResponse): void {
	res.writeHead(200, {
		'content-type': 'text/event-stream; charset=utf-8',
		'cache-control': 'no-cache',
		connection: 'keep-alive',
	});
	res.flushHeaders();
}

/** Writes to the client, waiting for `drain` when its buffer is full; false once the client is gone. */
export async function write(res: ServerResponse, text: string): Promise<boolean> {
	if (res.destroyed || res.writableEnded) {
		return false;
	}

	if (!res.write(text)) {
		await Promise.race([once(res, 'drain'), once(res, 'close')]);
	}

	return !res.destroyed;
}
