import type {AddressInfo} from 'node:net';
import WebSocket, {WebSocketServer} from 'ws';

/**
The reference for `npm run bench:ws`: the least a Node WebSocket relay can do. Each client socket gets an
upstream socket with the next account's credentials (round robin), and frames pass both ways untouched: no
account choice, no quota reading, no memory of the conversation, nothing recorded. Like the pool, it masks the
frames it sends to this machine with a zero key, which `ws` does not apply (source/core/ws/upstream-socket.ts).
*/
export async function startMinimalRelay(upstreamWsUrl: string, accounts: readonly Record<string, string>[]) {
	const server = new WebSocketServer({host: '127.0.0.1', port: 0, perMessageDeflate: false, maxPayload: 0});
	let next = 0;
	server.on('connection', (client, request) => {
		const credentials = accounts[next++ % accounts.length] ?? {};
		const headers = {'openai-beta': String(request.headers['openai-beta'] ?? ''), ...credentials};
		const upstream = new WebSocket(upstreamWsUrl, {
			headers,
			perMessageDeflate: false,
			maxPayload: 0,
			generateMask: (mask) => mask.fill(0),
		});
		const early: WebSocket.RawData[] = [];
		client.on('message', (data, isBinary) => {
			if (upstream.readyState === WebSocket.OPEN) {
				upstream.send(data, {binary: isBinary});
			} else {
				early.push(data);
			}
		});
		upstream.on('open', () => {
			for (const data of early.splice(0)) {
				upstream.send(data, {binary: false});
			}
		});
		upstream.on('message', (data, isBinary) => client.send(data, {binary: isBinary}));
		upstream.on('close', () => client.close());
		upstream.on('error', () => client.terminate());
		client.on('close', () => upstream.close());
		client.on('error', () => upstream.terminate());
	});
	await new Promise((resolve) => server.once('listening', resolve));
	const {port} = server.address() as AddressInfo;
	return {url: `ws://127.0.0.1:${port}`, close: () => server.close()};
}
