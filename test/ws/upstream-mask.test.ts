import assert from 'node:assert/strict';
import {createHash} from 'node:crypto';
import {once} from 'node:events';
import {createServer, type Socket} from 'node:net';
import test from 'node:test';
import {openUpstreamSocket, upstreamMask} from '../../source/core/ws/upstream-socket.ts';

test('frames go upstream with a zero masking key over TLS and to this machine, with random keys elsewhere', () => {
	const masked = (url: string) => {
		const generate = upstreamMask(url);
		if (generate === undefined) {
			return 'random';
		}

		const key = Buffer.from([1, 2, 3, 4]);
		generate(key);
		return key.equals(Buffer.alloc(4)) ? 'zero' : 'other';
	};

	assert.equal(masked('wss://chatgpt.com/backend-api/codex/responses'), 'zero');
	assert.equal(masked('ws://127.0.0.1:8080/backend-api/codex/responses'), 'zero');
	assert.equal(masked('ws://[::1]:8080/backend-api/codex/responses'), 'zero');
	assert.equal(masked('ws://localhost:8080/backend-api/codex/responses'), 'zero');
	assert.equal(masked('ws://10.0.0.5:8080/backend-api/codex/responses'), 'random');
	assert.equal(masked('ws://proxy.example/backend-api/codex/responses'), 'random');
});

/** A bare WebSocket server: accepts one upgrade and keeps the bytes that follow it (the client's frames). */
async function bareServer() {
	const frames: Buffer[] = [];
	let socketOf: Socket | undefined;
	const server = createServer((socket) => {
		socketOf = socket;
		let handshakeDone = false;
		let pending = Buffer.alloc(0);
		socket.on('data', (chunk: Buffer) => {
			pending = Buffer.concat([pending, chunk]);
			if (!handshakeDone) {
				const end = pending.indexOf('\r\n\r\n');
				if (end === -1) {
					return;
				}

				const key = /sec-websocket-key: *(\S+)/i.exec(pending.toString('latin1', 0, end))?.[1] ?? '';

				const accept = createHash('sha1')
					.update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`)
					.digest('base64');
				socket.write(
					`HTTP/1.1 101 Switching Protocols\r\nupgrade: websocket\r\nconnection: Upgrade\r\nsec-websocket-accept: ${accept}\r\n\r\n`,
				);
				handshakeDone = true;
				pending = pending.subarray(end + 4);
			}

			frames.splice(0, 1, pending);
		});
	});
	server.listen(0, '127.0.0.1');
	await once(server, 'listening');
	const {port} = server.address() as {port: number};
	return {
		url: `ws://127.0.0.1:${port}/backend-api/codex/responses`,
		frames,
		close: () => {
			socketOf?.destroy();
			server.close();
		},
	};
}

test('a frame sent on an upstream socket to this machine carries a zero key and its bytes as they were', async () => {
	const server = await bareServer();
	try {
		const answer = await openUpstreamSocket(server.url, {authorization: 'Bearer t'}, Date.now);
		assert.ok(answer.ok, answer.ok ? '' : `${answer.failure.message} ${answer.text}`);
		const text = JSON.stringify({type: 'response.create', input: 'x'.repeat(300)});
		answer.socket.send(text);
		const length = Buffer.byteLength(text);
		for (let wait = 0; (server.frames[0]?.length ?? 0) < 8 + length && wait < 200; wait++) {
			await new Promise((resolve) => setTimeout(resolve, 5));
		}

		const [header] = server.frames;
		assert.ok(header !== undefined && header.length === 8 + length, 'the server got the whole frame');
		assert.equal(header[1]! & 0x80, 0x80, 'the frame is masked, as a client frame must be');
		assert.equal(header[1]! & 0x7f, 126, 'a 16-bit length follows');
		assert.equal(header.readUInt16BE(2), length);
		assert.deepEqual([...header.subarray(4, 8)], [0, 0, 0, 0], 'the key is zero');
		assert.equal(header.toString('utf8', 8), text, 'masked with zeros, the payload is the text itself');
		answer.socket.terminate();
	} finally {
		server.close();
	}
});
