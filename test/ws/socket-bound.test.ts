import assert from 'node:assert/strict';
import test from 'node:test';
import {type Clock, createScaledClock, systemClock} from '../../source/core/clock.ts';
import {parseUpstreamBase} from '../../source/core/proxy/upstream-client.ts';
import {type SimulatedUpstream, startSimulatedUpstream} from '../../source/core/simulated-backend/index.ts';
import {UpstreamWebSocketSupport} from '../../source/core/ws/handshake.ts';
import {createSocketTransport, type SocketTransport} from '../../source/core/ws/http-over-socket.ts';
import {eventually} from '../helpers/eventually.ts';

// The HTTP path's upstream sockets (http-over-socket.ts) are bounded like a connection pool and close when idle.

type Rig = {
	readonly upstream: SimulatedUpstream;
	readonly transport: SocketTransport;
	/** Sends one request of `session`; resolves to 'socket' (its answer came over a socket) or 'http'. */
	readonly ask: (session: string) => Promise<'socket' | 'http'>;
	/** The answers of the requests asked, read to their end. */
	readonly drain: () => Promise<string[]>;
};

async function startRig(
	t: test.TestContext,
	options: {maxSockets?: number; idleMs?: number; clock?: Clock; chunkIntervalMs?: number},
): Promise<Rig> {
	const upstream = await startSimulatedUpstream({
		accounts: [{name: 'a'}],
		streamChunks: 4,
		chunkIntervalMs: options.chunkIntervalMs ?? 0,
	});
	const account = upstream.accounts.get('a');
	const transport = createSocketTransport({
		upstream: parseUpstreamBase(upstream.backendUrl),
		clock: options.clock ?? systemClock,
		support: new UpstreamWebSocketSupport(),
		enabled: () => true,
		maxSockets: options.maxSockets,
		idleMs: options.idleMs,
	});
	t.after(async () => {
		transport.close();
		await upstream.close();
	});
	const bodies: Promise<string>[] = [];
	return {
		upstream,
		transport,
		async ask(session) {
			const answer = await transport.send({
				sessionId: session,
				accountId: account.accountId,
				headers: {
					authorization: `Bearer ${account.tokens.accessToken}`,
					'chatgpt-account-id': account.accountId,
				},
				body: {model: 'gpt-5.5', stream: true, store: false, input: `hello from ${session}`},
				signal: new AbortController().signal,
			});
			if (answer === undefined) {
				return 'http';
			}

			assert.ok(answer.ok, JSON.stringify(answer));
			if (answer.ok) {
				answer.response.body.attach();
				bodies.push(answer.response.body.text());
			}

			return 'socket';
		},
		drain: () => Promise.all(bodies.splice(0)),
	};
}

test('at the bound with every socket busy, a request goes over HTTP instead of opening another', async (t) => {
	// Slow streams keep the sockets busy while the third session asks.
	const rig = await startRig(t, {maxSockets: 2, chunkIntervalMs: 300});
	const routes = await Promise.all([rig.ask('s1'), rig.ask('s2')]);
	assert.deepEqual(routes, ['socket', 'socket']);
	assert.equal(await rig.ask('s3'), 'http');
	assert.equal(rig.upstream.websockets.openCount(), 2);
	await rig.drain();
});

test('at the bound, a new session closes the least recently used idle socket', async (t) => {
	const rig = await startRig(t, {maxSockets: 2});
	assert.equal(await rig.ask('s1'), 'socket');
	await rig.drain();
	assert.equal(await rig.ask('s2'), 'socket');
	await rig.drain();
	// s1 is reused (it is s1's), which makes s2 the least recently used.
	assert.equal(await rig.ask('s1'), 'socket');
	await rig.drain();
	assert.equal(await rig.ask('s3'), 'socket');
	await rig.drain();
	await eventually(() => assert.equal(rig.upstream.websockets.openCount(), 2));
	assert.equal(rig.transport.openSockets(), 2);
	const connections = rig.upstream.websockets.connections();
	assert.equal(connections.length, 3);
	// s1's socket served two requests and stays; s2's was closed for s3.
	assert.deepEqual(
		connections.map((c) => [c.requests.length, c.closedAt === undefined]),
		[
			[2, true],
			[1, false],
			[1, true],
		],
	);
});

test("one socket per session: while it opens, the session's other request goes over HTTP", async (t) => {
	const rig = await startRig(t, {maxSockets: 8});
	const routes = await Promise.all([rig.ask('s1'), rig.ask('s1')]);
	assert.deepEqual(routes.toSorted(), ['http', 'socket']);
	await rig.drain();
	assert.equal(rig.upstream.websockets.connections().length, 1);
	assert.equal(rig.transport.openSockets(), 1);
});

test('an idle socket closes after the idle time, on the clock the pool runs on', async (t) => {
	// 600x: five clock minutes of idleness pass in half a real second.
	const rig = await startRig(t, {clock: createScaledClock(600), idleMs: 5 * 60_000});
	assert.equal(await rig.ask('s1'), 'socket');
	await rig.drain();
	assert.equal(rig.upstream.websockets.openCount(), 1);
	// Used again before the idle time passed: the same socket.
	assert.equal(await rig.ask('s1'), 'socket');
	await rig.drain();
	assert.equal(rig.upstream.websockets.connections().length, 1);
	await eventually(() => assert.equal(rig.upstream.websockets.openCount(), 0), 3000);
	assert.equal(rig.transport.openSockets(), 0);
});
