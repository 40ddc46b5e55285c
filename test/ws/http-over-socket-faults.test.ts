import assert from 'node:assert/strict';
import {after, before, test} from 'node:test';
import {request} from 'undici';
import {classifyAnswer, sseData} from '../../bench/reliability/outcome.ts';
import type {WsBehaviourKind} from '../../source/core/simulated-backend/index.ts';
import type {FaultKind} from '../helpers/faults.ts';
import {type Rig, startRig} from '../helpers/rig.ts';

// HTTP clients whose requests ride the upstream WebSocket (settings.upstreamWebSocket): what the HTTP path
// promises holds there too. Nothing is sent upstream again once the client has had its first byte.

let rig: Rig;

before(async () => {
	rig = await startRig({accounts: ['a', 'b'], settings: {upstreamWebSocket: true}});
});

after(async () => {
	await rig.close();
});

let turns = 0;

async function turn(session: string, seen?: (headers: Record<string, unknown>) => void) {
	turns++;
	const answer = await request(`${rig.url}/backend-api/codex/responses`, {
		method: 'POST',
		headers: {'content-type': 'application/json', 'session-id': session, 'x-test-turn': String(turns)},
		body: JSON.stringify({
			model: 'gpt-5.5',
			stream: true,
			store: false,
			input: [{type: 'message', role: 'user', content: [{type: 'input_text', text: `turn ${turns}`}]}],
		}),
	});
	seen?.(answer.headers);
	return {
		turn: String(turns),
		status: answer.statusCode,
		type: String(answer.headers['content-type']),
		text: await answer.body.text(),
	};
}

/** The upstream model requests of one client turn (its id travels in the frame's client_metadata). */
function attemptsOf(turn: string) {
	return rig.upstream.log.filter(
		(entry) =>
			entry.path === '/backend-api/codex/responses' &&
			entry.status !== 101 &&
			entry.headers['x-test-turn'] === turn,
	);
}

const breaks: [string, () => void][] = [
	...(['stream_cut', 'close_1011'] as WsBehaviourKind[]).map((kind): [string, () => void] => [
		`the socket ${kind}`,
		() => rig.upstream.websockets.inject({kind}),
	]),
	...(['reset_after_first_byte', 'stream_cut'] as FaultKind[]).map((kind): [string, () => void] => [
		`the fault ${kind}`,
		() => rig.upstream.faults.inject({kind}),
	]),
];

for (const [name, inject] of breaks) {
	test(`${name} after the first event: response.failed for the client, nothing replayed, the session goes on`, async () => {
		const session = `break-${name}`;
		const first = await turn(session);
		assert.equal(classifyAnswer('responses-sse', first.status, first.type, first.text).kind, 'completed');
		inject();
		const broken = await turn(session);
		assert.equal(broken.status, 200);
		assert.equal(classifyAnswer('responses-sse', broken.status, broken.type, broken.text).kind, 'error');
		const last = JSON.parse(sseData(broken.text).at(-1)!) as {
			type: string;
			response: {error: {code: string}};
		};
		assert.equal(last.type, 'response.failed');
		assert.equal(last.response.error.code, 'upstream_stream_broken');
		const attempts = attemptsOf(broken.turn);
		assert.deepEqual(
			attempts.map((entry) => entry.method),
			['WS'],
			'one upstream attempt, over the socket: nothing replayed after the first byte',
		);
		// The next turn is served as usual, over a socket.
		const next = await turn(session);
		assert.equal(classifyAnswer('responses-sse', next.status, next.type, next.text).kind, 'completed');
		assert.deepEqual(
			attemptsOf(next.turn).map((entry) => entry.method),
			['WS'],
		);
	});
}

test('a socket that closes before the first event fails over like an HTTP reset, on the same request', async () => {
	const session = 'before-first-event';
	rig.upstream.faults.inject({kind: 'reset_before_first_byte'});
	const answer = await turn(session);
	assert.equal(classifyAnswer('responses-sse', answer.status, answer.type, answer.text).kind, 'completed');
	const attempts = attemptsOf(answer.turn);
	assert.equal(attempts.length, 2, JSON.stringify(attempts.map((entry) => [entry.method, entry.status])));
	assert.equal(attempts[0]?.fault, 'reset_before_first_byte');
});

test('what the socket says before the first event comes as headers, as over HTTP: the stream starts with response.created', async () => {
	const headers: Record<string, unknown>[] = [];
	for (let index = 0; index < 2; index++) {
		const answer = await turn('headers', (seen) => headers.push(seen));
		assert.equal(JSON.parse(sseData(answer.text)[0]!).type, 'response.created');
		assert.equal(
			sseData(answer.text).some((data) => data.includes('codex.rate_limits')),
			false,
		);
		assert.deepEqual(
			attemptsOf(answer.turn).map((entry) => entry.method),
			['WS'],
		);
	}

	// The quota of each answer (codex.rate_limits frames), and the upgrade's model etag on the first.
	for (const seen of headers) {
		assert.match(String(seen['x-codex-primary-used-percent']), /^\d+(\.\d+)?$/);
		assert.match(String(seen['x-codex-primary-window-minutes']), /^\d+$/);
	}

	assert.equal(typeof headers[0]?.['x-models-etag'], 'string');
});

test('a handshake that fails otherwise than 401 or 429 (a 500, a 400): the request goes over HTTP and is served', async () => {
	for (const status of [500, 400]) {
		rig.upstream.websockets.upgrade = status;
		try {
			const answer = await turn(`handshake-${status}`);
			assert.equal(
				classifyAnswer('responses-sse', answer.status, answer.type, answer.text).kind,
				'completed',
			);
			assert.deepEqual(
				attemptsOf(answer.turn).map((entry) => [entry.method, entry.status]),
				[
					['GET', status],
					['POST', 200],
				],
			);
		} finally {
			rig.upstream.websockets.upgrade = 'accept';
		}
	}
});
