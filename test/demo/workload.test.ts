import assert from 'node:assert/strict';
import {test} from 'node:test';
import {setTimeout as delay} from 'node:timers/promises';
import {createScaledClock, systemClock} from '../../source/core/clock.ts';
import {startWorkload, type WorkloadTransport} from '../../source/core/demo/workload.ts';
import {createPoolProxy} from '../../source/core/proxy/index.ts';
import {createRandom} from '../../source/core/random.ts';
import {type SimulatedUpstream, startSimulatedUpstream} from '../../source/core/simulated-backend/index.ts';
import {recordFor} from '../proxy/harness.ts';
import {serveCodexRoutes} from '../proxy/serve.ts';

/** The pool alone (createPoolProxy) in front of a simulated upstream with two accounts. */
async function startPool(t: {after: (fn: () => Promise<void>) => void}) {
	const upstream = await startSimulatedUpstream({accounts: [{name: 'a'}, {name: 'b'}]});
	const records = ['a', 'b'].map((name) => recordFor(upstream, name));
	const tokens = new Map(records.map((record) => [record.id, record.tokens.accessToken]));
	const proxy = createPoolProxy({
		clock: systemClock,
		random: createRandom(1),
		records,
		tokens: {
			getAccessToken: async (id) => tokens.get(id) ?? '',
			refreshAfter401: async (id) => tokens.get(id) ?? '',
		},
		strategy: () => 'round-robin',
		upstream: upstream.backendUrl,
	});
	const served = await serveCodexRoutes({...proxy, clock: systemClock});
	const url = served.url;
	t.after(async () => {
		await Promise.all([proxy.close(), served.close()]);
		await upstream.close();
	});
	return {upstream, url};
}

/**
Runs the demo's workload fast (1 clock minute = 20 real ms), sessions with up to 2 tool rounds, until `done`
holds (checked every 100 ms; at most 20 s, for a loaded machine) and at least `minMs`.
*/
async function runWorkload(url: string, transport: WorkloadTransport, done: () => boolean, minMs = 500) {
	const workload = startWorkload({
		proxyUrl: url,
		clock: createScaledClock(3000),
		random: createRandom(7),
		sessionsPerHour: 240,
		meanTurns: 3,
		meanThinkMinutes: 0.5,
		maxSessions: 4,
		transport,
		maxToolRounds: 2,
	});
	const started = Date.now();
	while (Date.now() - started < 20_000 && (Date.now() - started < minMs || !done())) {
		await delay(100);
	}

	await workload.stop();
}

const hasToolOutput = (entry: {body?: unknown}) =>
	((entry.body as {input?: Array<{type?: string}>} | undefined)?.input ?? []).some(
		(item) => item.type === 'function_call_output',
	);

const modelPosts = (upstream: SimulatedUpstream) =>
	upstream.log.filter((entry) => entry.method === 'POST' && entry.path === '/backend-api/codex/responses');

test('the demo sessions speak WebSocket through the pool: a warm-up, then only the new items, tool loops included', async (t) => {
	const {upstream, url} = await startPool(t);
	await runWorkload(url, 'websocket', () =>
		upstream.websockets.connections().some((c) => c.requests.some((r) => r.items === 1 && r.fullItems > 3)),
	);
	const connections = upstream.websockets.connections();
	assert.ok(connections.length > 0, 'sessions opened upstream sockets');
	assert.equal(modelPosts(upstream).length, 0, 'nothing went over HTTP');
	const requests = connections.flatMap((connection) => connection.requests);
	// A socket opened just before the workload stopped may have carried nothing.
	for (const connection of connections.filter((c) => c.requests.length > 0)) {
		assert.equal(connection.requests[0]?.generate, false, 'each socket starts with a warm-up');
	}

	const incremental = requests.filter((r) => r.generate && r.previousResponseId !== undefined);
	assert.ok(incremental.length > 0);
	assert.ok(
		incremental.every((r) => r.outcome !== 'error'),
		'no previous_response_not_found',
	);
	const toolOutputs = upstream.log.filter(hasToolOutput);
	assert.ok(toolOutputs.length > 0, 'tool loops ran');
	assert.ok(
		incremental.some((r) => r.items === 1 && r.fullItems > 3),
		'a tool output went alone, on top of the held conversation',
	);
});

test('when the pool answers the upgrade 426 (its upstream refuses WebSocket), the sessions use HTTP', async (t) => {
	const {upstream, url} = await startPool(t);
	upstream.websockets.upgrade = 426;
	await runWorkload(url, 'websocket', () => modelPosts(upstream).some(hasToolOutput));
	assert.equal(upstream.websockets.connections().length, 0);
	const posts = modelPosts(upstream);
	assert.ok(posts.length > 0);
	assert.ok(posts.every((entry) => entry.status === 200));
});

test('transport http never tries an upgrade', async (t) => {
	const {upstream, url} = await startPool(t);
	await runWorkload(url, 'http', () => modelPosts(upstream).length > 0);
	assert.ok(modelPosts(upstream).length > 0);
	assert.equal(
		upstream.log.filter(
			(entry) => entry.method === 'GET' && entry.path.startsWith('/backend-api/codex/responses'),
		).length,
		0,
	);
});

test('transport mixed: some sessions over WebSocket, some over HTTP', async (t) => {
	const {upstream, url} = await startPool(t);
	await runWorkload(
		url,
		'mixed',
		() =>
			upstream.websockets.connections().some((c) => c.requests.length > 1) && modelPosts(upstream).length > 0,
	);
	assert.ok(upstream.websockets.connections().some((connection) => connection.requests.length > 0));
	assert.ok(modelPosts(upstream).length > 0);
});
