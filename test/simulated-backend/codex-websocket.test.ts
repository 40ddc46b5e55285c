import assert from 'node:assert/strict';
import {test} from 'node:test';
import {type SimulatedUpstream, startSimulatedUpstream} from '../../source/core/simulated-backend/index.ts';
import {hasCodexCli, runCodexExec} from '../helpers/codex-cli.ts';

/*
The real Codex CLI 0.171 against the simulated upstream's Responses WebSocket mode, with a tool loop
(`tool-rounds:3`: three `echo` calls, then an answer). This checks the simulation against the client it
imitates: Codex opens one socket, sends a warm-up, then requests that carry only the new items, and recovers
from the backend's errors as websocket.md says.
*/
const skip = !hasCodexCli();
const PROMPT = 'run the loop tool-rounds:3';

async function start(t: {after: (fn: () => Promise<void>) => void}) {
	const upstream = await startSimulatedUpstream({accounts: [{name: 'a'}]});
	t.after(() => upstream.close());
	return upstream;
}

const exec = (upstream: SimulatedUpstream, websockets: boolean) =>
	runCodexExec({
		baseUrl: upstream.backendUrl,
		authJson: upstream.accounts.authJson('a'),
		prompt: PROMPT,
		websockets,
		tokenUrl: upstream.tokenUrl,
	});

const posts = (upstream: SimulatedUpstream) =>
	upstream.log.filter((entry) => entry.method === 'POST' && entry.path === '/backend-api/codex/responses');

/** Each request of each connection as `[warm|gen] items/fullItems [+prev] outcome`. */
const shape = (upstream: SimulatedUpstream) =>
	upstream.websockets
		.connections()
		.map((connection) =>
			connection.requests.map(
				(r) =>
					`${r.generate ? 'gen' : 'warm'} ${r.items}/${r.fullItems}${r.previousResponseId ? ' +prev' : ''} ${r.outcome}`,
			),
		);

test('over WebSocket, one codex exec with 3 tool rounds is a warm-up and 4 requests, 1 new item each after the first', {
	skip,
}, async (t) => {
	const upstream = await start(t);
	const run = await exec(upstream, true);
	assert.equal(run.code, 0, run.stderr);
	assert.match(run.stdout, /^Hello from a\. The tool said: [\s\S]*tool-round-3-of-3/);
	assert.equal(posts(upstream).length, 0, 'nothing over HTTP');
	assert.deepEqual(shape(upstream), [
		[
			'warm 1/1 completed',
			'gen 3/4 +prev completed',
			'gen 1/7 +prev completed',
			'gen 1/10 +prev completed',
			'gen 1/13 +prev completed',
		],
	]);
	const [connection] = upstream.websockets.connections();
	assert.ok(connection);
	assert.equal(connection.headers['openai-beta'], 'responses_websockets=2026-02-06');
	const {requests} = connection;
	for (let index = 1; index < requests.length; index++) {
		assert.equal(requests[index]?.previousResponseId, requests[index - 1]?.responseId, 'chained');
	}

	// What grows is the conversation: the incremental requests carry well under a KB of it.
	for (const request of requests.slice(2)) {
		assert.ok(request.inputBytes < 1024, `${request.inputBytes} bytes of input`);
	}

	// Quota was used per generating request, not by the warm-up.
	assert.ok((upstream.accounts.quota('a').fiveHour?.usedPercent ?? 0) > 0);
});

test('over HTTP, the same run is 4 POSTs, each with the whole conversation (4, 7, 10, 13 items)', {
	skip,
}, async (t) => {
	const upstream = await start(t);
	const run = await exec(upstream, false);
	assert.equal(run.code, 0, run.stderr);
	assert.match(run.stdout, /tool-round-3-of-3/);
	assert.deepEqual(
		posts(upstream).map((entry) => (entry.body as {input: unknown[]}).input.length),
		[4, 7, 10, 13],
	);
	assert.equal(upstream.websockets.connections().length, 0);
});

test('a refused upgrade (426) sends Codex to HTTP at once, and the loop completes', {skip}, async (t) => {
	const upstream = await start(t);
	upstream.websockets.upgrade = 426;
	const run = await exec(upstream, true);
	assert.equal(run.code, 0, run.stderr);
	assert.equal(posts(upstream).length, 4);
	assert.deepEqual(
		upstream.log.filter((entry) => entry.method === 'GET' && entry.path === '/backend-api/codex/responses')
			.length,
		1,
	);
});

test('websocket_connection_limit_reached mid-loop: Codex opens a new socket and resends the full input', {
	skip,
}, async (t) => {
	const upstream = await start(t);
	upstream.websockets.inject({kind: 'connection_limit', skip: 2});
	const run = await exec(upstream, true);
	assert.equal(run.code, 0, run.stderr);
	assert.deepEqual(shape(upstream), [
		['warm 1/1 completed', 'gen 3/4 +prev completed', 'gen 1/7 +prev completed', 'gen 1/1 +prev error'],
		['gen 10/10 completed', 'gen 1/13 +prev completed'],
	]);
});

test('an account exhausted at request time: the 429 error frame is final for Codex, which says when to come back', {
	skip,
}, async (t) => {
	const upstream = await start(t);
	upstream.websockets.inject({kind: 'usage_limit_frame', skip: 1});
	const run = await exec(upstream, true);
	assert.equal(run.code, 1);
	assert.match(run.stderr, /hit your usage limit.*try again at/);
	assert.deepEqual(shape(upstream), [
		['warm 1/1 completed', 'gen 3/4 +prev completed', 'gen 1/7 +prev error'],
	]);
	assert.equal(upstream.websockets.connections()[0]?.requests[2]?.status, 429);
});

test('Codex 0.171 takes its turn state from response.metadata, the first of the turn, never from an upgrade, and sends it back only in client_metadata', {
	skip,
}, async (t) => {
	const upstream = await start(t);
	// A new socket in the middle of the turn, whose upgrade and responses carry other turn states.
	upstream.websockets.inject({kind: 'connection_limit', skip: 2});
	const run = await exec(upstream, true);
	assert.equal(run.code, 0, run.stderr);
	const [first, second] = upstream.websockets.connections();
	assert.ok(first && second);
	const sent = upstream.log
		.filter((entry) => entry.method === 'WS')
		.map(
			(entry) =>
				(entry.body as {client_metadata?: Record<string, unknown>}).client_metadata?.['x-codex-turn-state'],
		);
	// The warm-up's response.metadata gave it; every later request of the turn carries it, on the new socket too.
	assert.deepEqual(sent, [undefined, ...Array(5).fill(first.turnStates.responses)]);
	for (const connection of [first, second]) {
		assert.equal(connection.headers['x-codex-turn-state'], undefined, 'none at a handshake');
	}
});
