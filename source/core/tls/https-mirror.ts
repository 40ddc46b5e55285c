import type {Server} from 'node:http';
import {createServer} from 'node:https';
import type {AddressInfo} from 'node:net';

/** An HTTPS listener serving what an HTTP server serves. */
export type HttpsMirror = {
	/** e.g. `https://127.0.0.1:4456` */
	readonly url: string;
	/** Stops accepting, cuts open connections, resolves once closed. */
	readonly close: () => Promise<void>;
};

/**
Listens with TLS on `host:port` and hands every request, WebSocket upgrade and client error to the listeners
of `http`, so both ports answer alike. Codex's built-in provider needs its `chatgpt_base_url` on HTTPS
(codex-cli-observed.md §1 A, §7); its model traffic stays on the plain HTTP port.
*/
export async function listenHttpsMirror(
	http: Server,
	tls: {readonly key: string; readonly cert: string},
	port: number,
	host = '127.0.0.1',
): Promise<HttpsMirror> {
	const server = createServer({key: tls.key, cert: tls.cert, keepAliveTimeout: 65_000});
	for (const event of ['request', 'upgrade', 'clientError'] as const) {
		for (const listener of http.listeners(event)) {
			server.on(event, listener as (...args: unknown[]) => void);
		}
	}

	// A client that does not trust the CA aborts the handshake: that is its business, not a crash.
	server.on('tlsClientError', () => {});
	await new Promise<void>((resolve, reject) => {
		server.once('error', reject);
		server.listen(port, host, () => {
			server.off('error', reject);
			resolve();
		});
	});
	const {port: actual} = server.address() as AddressInfo;
	return {
		url: `https://${host.includes(':') ? `[${host}]` : host}:${actual}`,
		close: () =>
			new Promise((resolve) => {
				server.close(() => resolve());
				server.closeAllConnections();
			}),
	};
}
