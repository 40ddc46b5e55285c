import assert from 'node:assert/strict';
import {once} from 'node:events';
import {after, describe, it} from 'node:test';
import WebSocket from 'ws';
import {serveInProcess, slowHomes} from '../commands/serve-harness.ts';

/*
Stopping `serve` with --grace, for Codex's WebSocket: a turn in flight gets the grace period; one still running
at its end gets the protocol's last event (`response.failed` saying why) and the connection closes with 1001;
a connection between turns closes with 1001 at once; the stop does not wait for it.
*/
const homes = slowHomes('codexpool-ws-stop-');

type Frame = {type?: string; response?: {error?: {message?: string}}};

/** A Codex-like WebSocket on the pool; `turn` sends a response.create and resolves once its first frame came. */
async function codexSocket(url: string, session: string) {
	const socket = new WebSocket(`${url.replace('http', 'ws')}/backend-api/codex/responses`, {
		headers: {'session-id': session},
	});
	const frames: Frame[] = [];
	socket.on('message', (data) => frames.push(JSON.parse(data.toString()) as Frame));
	const closed = once(socket, 'close').then(([code]) => code as number);
	await once(socket, 'open');
	return {
		frames,
		closed,
		async turn() {
			socket.send(
				JSON.stringify({
					type: 'response.create',
					model: 'gpt-5.5',
					store: false,
					input: [{type: 'message', role: 'user', content: [{type: 'input_text', text: 'a long answer'}]}],
				}),
			);
			while (!frames.some((frame) => frame.type === 'response.created')) {
				await once(socket, 'message');
			}
		},
	};
}

describe('stopping serve with WebSocket turns in flight', () => {
	after(() => homes.close());

	it('gives a running turn the grace period, then ends it with response.failed and closes 1001', async () => {
		const daemon = await serveInProcess(await homes.next(100), ['--grace', '1s']); // 10 s per turn
		const busy = await codexSocket(daemon.url, 'ws-stop-busy');
		const idle = await codexSocket(daemon.url, 'ws-stop-idle');
		await busy.turn();
		const started = Date.now();
		const exit = daemon.stop();
		assert.equal(await idle.closed, 1001, 'a connection between turns closes at once, going away');
		assert.ok(Date.now() - started < 900, 'the idle connection did not wait for the grace');
		assert.equal(await busy.closed, 1001);
		const took = Date.now() - started;
		assert.equal(await exit, 0, daemon.output());
		assert.ok(took >= 900 && took < 5000, `the turn got the 1 s grace, not less nor all of it (${took} ms)`);
		const last = busy.frames.at(-1);
		assert.equal(last?.type, 'response.failed');
		assert.match(String(last?.response?.error?.message), /codexpool stopped before this answer was complete/);
		assert.ok(!busy.frames.some((frame) => frame.type === 'response.completed'));
		assert.match(daemon.output(), /1 stream in flight get up to 1 s to finish/);
	});

	it('lets a turn that ends within the grace period complete, then closes the connection 1001', async () => {
		const daemon = await serveInProcess(await homes.next(10), ['--grace', '10s']); // 1 s per turn
		const client = await codexSocket(daemon.url, 'ws-stop-finishes');
		await client.turn();
		const started = Date.now();
		const exit = daemon.stop();
		assert.equal(await client.closed, 1001);
		assert.equal(await exit, 0, daemon.output());
		assert.equal(client.frames.at(-1)?.type, 'response.completed');
		assert.ok(Date.now() - started < 8000, 'stops once the turn is done, not after the whole grace');
	});
});
