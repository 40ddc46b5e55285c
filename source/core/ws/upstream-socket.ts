import type {IncomingMessage} from 'node:http';
import WebSocket from 'ws';
import {isLoopback} from '../http/access.ts';
import type {UpstreamBase} from '../proxy/upstream-client.ts';
import {
	classifyHttpFailure,
	classifyTransportFailure,
	type UpstreamFailure,
} from '../proxy/upstream-errors.ts';

/** What Codex sends on its upgrade; the `ws` client sends its own handshake headers. */
const HANDSHAKE_HEADERS = new Set([
	'sec-websocket-key',
	'sec-websocket-version',
	'sec-websocket-extensions',
	'sec-websocket-protocol',
	'sec-websocket-accept',
	'content-type',
]);

/** The Responses WebSocket mode's beta header, which Codex sends and the backend requires. */
export const RESPONSES_WEBSOCKETS_BETA = 'responses_websockets=2026-02-06';

/** Codex's own connect timeout (`upstream-protocol.md` §3). */
const HANDSHAKE_TIMEOUT_MS = 15_000;

export type UpstreamSocketAnswer =
	| {
			readonly ok: true;
			readonly socket: WebSocket;
			/** The upgrade response's headers (quota headers among them). */
			readonly headers: Readonly<Record<string, string | string[] | undefined>>;
	  }
	| {
			readonly ok: false;
			readonly failure: UpstreamFailure;
			/** The upstream answered the upgrade with 426 (or 404/405): it does not serve WebSocket here. */
			readonly refusesWebSocket: boolean;
			readonly status: number | undefined;
			readonly text: string;
			readonly headers: Readonly<Record<string, string | string[] | undefined>>;
	  };

/** Fills a frame's masking key with zeros, which `ws` then skips applying. */
const zeroMask = (mask: Buffer) => {
	mask.fill(0);
};

/**
The masking key of the frames the pool sends upstream. Masking exists for plain-text paths, so that a caching proxy
between a browser and a server cannot be fed bytes a script chose (RFC 6455 §10.3). Over TLS (the real backend) or
to this machine (the simulated one) no proxy reads the frames, and a random key would only cost a masked copy of
every frame (Codex's requests are 20-30 KB; `ws` masks them in JavaScript, without the optional native addon): a
zero key, which `ws` does not apply. Any other path keeps random keys.
*/
export function upstreamMask(url: string): ((mask: Buffer) => void) | undefined {
	const {protocol, hostname} = new URL(url);
	return protocol === 'wss:' || isLoopback(hostname) ? zeroMask : undefined;
}

/** The upstream's WebSocket URL for a path below the backend base (`/codex/responses`). */
export function upstreamSocketUrl(base: UpstreamBase, path: string): string {
	const origin = base.origin.replace(/^http/, 'ws');
	return `${origin}${base.prefix}${path}`;
}

/** The handshake headers to send upstream: the account's credentials already in `headers`, ours removed. */
export function upstreamHandshakeHeaders(headers: Readonly<Record<string, string>>): Record<string, string> {
	const kept: Record<string, string> = {};
	for (const [name, value] of Object.entries(headers)) {
		if (!HANDSHAKE_HEADERS.has(name)) {
			kept[name] = value;
		}
	}

	kept['openai-beta'] ??= RESPONSES_WEBSOCKETS_BETA;
	return kept;
}

/**
Opens one WebSocket to the upstream and sorts the answer like an HTTP one: a 101 gives the open socket;
anything else is read (bounded) and classified, and a 426 says the upstream serves no WebSocket there.
*/
export function openUpstreamSocket(
	url: string,
	headers: Readonly<Record<string, string>>,
	now: () => number,
): Promise<UpstreamSocketAnswer> {
	return new Promise((resolve) => {
		let settled = false;
		const settle = (answer: UpstreamSocketAnswer) => {
			if (!settled) {
				settled = true;
				resolve(answer);
			}
		};

		let upgradeHeaders: IncomingMessage['headers'] = {};
		const socket = new WebSocket(url, {
			headers: upstreamHandshakeHeaders(headers),
			handshakeTimeout: HANDSHAKE_TIMEOUT_MS,
			perMessageDeflate: true,
			maxPayload: 0,
			generateMask: upstreamMask(url),
		});
		socket.once('upgrade', (response) => {
			upgradeHeaders = response.headers;
		});
		socket.once('open', () => {
			socket.removeAllListeners('error');
			// Errors after the handshake show as a close; the relay listens for that.
			socket.on('error', () => {});
			settle({ok: true, socket, headers: upgradeHeaders});
		});
		socket.once('unexpected-response', (request, response) => {
			const chunks: Buffer[] = [];
			let size = 0;
			response.on('data', (chunk: Buffer) => {
				size += chunk.length;
				if (size <= 64 * 1024) {
					chunks.push(chunk);
				}
			});
			const finish = () => {
				const status = response.statusCode ?? 0;
				const text = Buffer.concat(chunks).toString('utf8');
				settle({
					ok: false,
					failure: classifyHttpFailure(status, text, now()),
					refusesWebSocket: status === 426 || status === 404 || status === 405,
					status,
					text,
					headers: response.headers,
				});
				request.destroy();
			};

			response.once('end', finish);
			response.once('error', finish);
			response.once('close', finish);
		});
		socket.once('error', (error) => {
			settle({
				ok: false,
				failure: classifyTransportFailure(error),
				refusesWebSocket: false,
				status: undefined,
				text: '',
				headers: {},
			});
		});
	});
}
