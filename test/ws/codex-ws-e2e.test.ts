import assert from 'node:assert/strict';
import test from 'node:test';
import {hasCodexCli} from '../helpers/codex-cli.ts';
import {startPoolHarness, upstreamPosts, upstreamShape, upstreamTurnStates} from './pool-harness.ts';

// The real Codex CLI 0.171 over WebSocket through the pool, against the simulated upstream's WebSocket mode.
const skip = hasCodexCli() ? false : 'the Codex CLI is not installed (npm install)';
const LOOP = 'run the loop tool-rounds:3';
const done = /The tool said: [\s\S]*tool-round-3-of-3/;

test('a tool loop over WebSocket end to end: the upstream gets incremental requests, as from Codex directly', {
	skip,
}, async (t) => {
	const h = await startPoolHarness(['a', 'b']);
	t.after(() => h.close());
	const run = await h.codex(LOOP);
	assert.equal(run.code, 0, run.stderr.slice(-1500));
	assert.match(run.stdout, done);
	const account = h.nameOf(h.events.request[0]?.accountId);
	// Exactly what Codex sends the backend directly (test/simulated-backend/codex-websocket.test.ts).
	assert.deepEqual(upstreamShape(h.upstream), [
		`${account}: warm 1/1 completed, gen 3/4 +prev completed, gen 1/7 +prev completed, gen 1/10 +prev completed, gen 1/13 +prev completed`,
	]);
	assert.equal(upstreamPosts(h.upstream), 0);
	assert.equal(h.events.request.length, 5);
	assert.ok(h.events.request.every((entry) => entry.transport === 'websocket' && entry.status === 200));
	assert.ok(h.events.request.every((entry) => entry.ttfbMs !== undefined));
	const session = h.proxy.sessions.snapshots()[0];
	assert.equal(session?.transport, 'websocket');
	assert.equal(session?.turns, 5);
	assert.ok((session?.outputTokens ?? 0) > 0);
	// Quota came from the codex.rate_limits frames.
	assert.ok(h.proxy.pool.get(h.id(account!))?.quota !== undefined);
});

test('an account exhausted at the handshake: the session fails over to another, the user sees nothing', {
	skip,
}, async (t) => {
	const h = await startPoolHarness(['a', 'b']);
	t.after(() => h.close());
	h.upstream.accounts.exhaust('a');
	// a is tried first (b marked as just picked), refuses the handshake with 429, and b takes the session.
	h.proxy.pool.markPicked(h.id('b'));
	const run = await h.codex(LOOP);
	assert.equal(run.code, 0, run.stderr.slice(-1500));
	assert.match(run.stdout, /^Hello from b\./);
	assert.doesNotMatch(run.stderr, /usage limit|Reconnecting/i);
	assert.equal(h.proxy.pool.isUsable(h.id('a')), false);
	assert.deepEqual(upstreamShape(h.upstream), [
		'b: warm 1/1 completed, gen 3/4 +prev completed, gen 1/7 +prev completed, gen 1/10 +prev completed, gen 1/13 +prev completed',
	]);
});

for (const kind of ['usage_limit_frame', 'usage_limit_midstream'] as const) {
	test(`a move in the middle of a tool loop (${kind}): the other account continues with the whole conversation and none of the first account's reasoning`, {
		skip,
	}, async (t) => {
		const h = await startPoolHarness(['a', 'b']);
		t.after(() => h.close());
		h.proxy.pool.markPicked(h.id('b'));
		// a serves the warm-up and the first round, then runs out on the second.
		h.upstream.websockets.inject({kind, account: 'a', skip: 1});
		const run = await h.codex(LOOP);
		assert.equal(run.code, 0, run.stderr.slice(-1500));
		assert.match(run.stdout, /^Hello from b\./);
		assert.match(run.stdout, done);
		assert.doesNotMatch(run.stderr, /usage limit/i);
		const shape = upstreamShape(h.upstream);
		assert.match(
			shape[0] ?? '',
			/^a: warm 1\/1 completed, gen 3\/4 \+prev completed, gen 1\/7 \+prev (error|failed)/,
		);
		// b got the whole conversation at once (no previous_response_id), then continued incrementally.
		const b = h.upstream.websockets.connections().find((connection) => connection.account === 'b');
		assert.ok(b, shape.join('\n'));
		const first = b.requests.find((request) => request.generate);
		assert.equal(first?.previousResponseId, undefined);
		assert.equal(first?.outcome, 'completed', shape.join('\n'));
		assert.ok((first?.items ?? 0) >= 6, shape.join('\n'));
		assert.ok(b.requests.slice(-1).every((request) => request.outcome === 'completed'));
		// Nothing a issued reached b: the simulated backend would have answered 400 invalid_encrypted_content.
		assert.ok(b.requests.every((request) => request.errorCode !== 'invalid_encrypted_content'));
		assert.equal(h.events.move.length, 1);
		// Codex kept a's turn state (its warm-up's response.metadata, the first of the turn): a got it back, b never.
		const states = upstreamTurnStates(h.upstream);
		assert.deepEqual(states.slice(0, 3), ['a: -', 'a: a', 'a: a'], states.join(', '));
		assert.ok(
			states.filter((state) => state.startsWith('b:')).every((state) => state === 'b: -'),
			states.join(', '),
		);
		// The first round's reasoning (and, after a cut stream, the broken attempt's, which Codex resends).
		assert.match(h.events.move[0]?.reason ?? '', /usage limit; [12] encrypted reasoning item\(s\) removed/);
		if (kind === 'usage_limit_frame') {
			// Failed over before the response's first event: Codex saw nothing at all.
			assert.doesNotMatch(run.stderr, /Reconnecting/);
		}

		t.diagnostic(shape.join(' | '));
		t.diagnostic(
			`codex stderr: ${
				run.stderr
					.split('\n')
					.filter((line) => /Reconnecting|stream|limit/i.test(line))
					.join(' / ') || 'nothing about it'
			}`,
		);
	});
}

test('every account exhausted: Codex prints when to come back', {skip}, async (t) => {
	const h = await startPoolHarness(['a', 'b']);
	t.after(() => h.close());
	h.upstream.accounts.exhaust('a');
	h.upstream.accounts.exhaust('b');
	const run = await h.codex('say hi');
	assert.equal(run.code, 1);
	assert.match(run.stderr, /usage limit/i);
	assert.match(run.stderr, /try again at/i);
	assert.equal(h.events.request.at(-1)?.status, 429);
	assert.equal(h.events.request.at(-1)?.transport, 'websocket');
});

test('evict during a session: its next request moves to another account with the whole conversation', {
	skip,
}, async (t) => {
	const h = await startPoolHarness(['a', 'b']);
	t.after(() => h.close());
	h.proxy.pool.markPicked(h.id('b'));
	let evicted = false;
	h.proxy.events.on('request', (entry) => {
		// After the first generating request completes on a, the user evicts a.
		if (!evicted && entry.accountId === h.id('a') && entry.outputTokens > 0) {
			evicted = true;
			const records = h.proxy.pool.list().map((account) => account.record);
			h.proxy.pool.setRecords(
				records.map((record) =>
					record.id === h.id('a') ? {...record, marks: {...record.marks, evicted: true}} : record,
				),
			);
		}
	});
	const run = await h.codex(LOOP);
	assert.equal(run.code, 0, run.stderr.slice(-1500));
	assert.match(run.stdout, done);
	assert.doesNotMatch(run.stderr, /Reconnecting|ERROR: \{/);
	assert.deepEqual(upstreamShape(h.upstream), [
		'a: warm 1/1 completed, gen 3/4 +prev completed',
		// Seven items less a's reasoning.
		'b: gen 6/6 completed, gen 1/9 +prev completed, gen 1/12 +prev completed',
	]);
	assert.match(h.events.move[0]?.reason ?? '', /evicted; 1 encrypted reasoning item\(s\) removed/);
});

test('a token expiring while a socket is open: one refresh, a new socket, the loop goes on', {
	skip,
}, async (t) => {
	const h = await startPoolHarness(['a']);
	t.after(() => h.close());
	h.upstream.websockets.checkTokenPerRequest = true;
	let expired = false;
	h.proxy.events.on('request', (entry) => {
		if (!expired && entry.outputTokens > 0) {
			expired = true;
			h.upstream.accounts.expireAccessTokens('a');
		}
	});
	const run = await h.codex(LOOP);
	assert.equal(run.code, 0, run.stderr.slice(-1500));
	assert.match(run.stdout, done);
	// A 401 as Codex would show it, not the digits anywhere: its random session id once held "401" and failed this.
	assert.doesNotMatch(run.stderr, /Reconnecting|ERROR: \{|401 Unauthorized|"status":\s*401|unauthorized/i);
	assert.equal(h.refreshes(), 1);
	assert.deepEqual(upstreamShape(h.upstream), [
		// The simulated backend refuses the request before it reads the conversation (x/1 below).
		'a: warm 1/1 completed, gen 3/4 +prev completed, gen 1/1 +prev error',
		'a: gen 7/7 completed, gen 1/10 +prev completed, gen 1/13 +prev completed',
	]);
});

test('the 60-minute connection limit: the pool reopens and resends the whole conversation, unseen', {
	skip,
}, async (t) => {
	const h = await startPoolHarness(['a']);
	t.after(() => h.close());
	// The backend's clock says the connection is an hour old at the third generating request.
	h.upstream.websockets.inject({kind: 'connection_limit', account: 'a', skip: 2});
	const run = await h.codex(LOOP);
	assert.equal(run.code, 0, run.stderr.slice(-1500));
	assert.match(run.stdout, done);
	assert.doesNotMatch(run.stderr, /Reconnecting|connection limit/i);
	assert.deepEqual(upstreamShape(h.upstream), [
		'a: warm 1/1 completed, gen 3/4 +prev completed, gen 1/7 +prev completed, gen 1/1 +prev error',
		'a: gen 10/10 completed, gen 1/13 +prev completed',
	]);
	assert.ok(h.events.request.every((entry) => entry.error === undefined));
	// The reopened socket is the same account's: the turn state Codex holds (a's) still goes with every request.
	assert.deepEqual(upstreamTurnStates(h.upstream), ['a: -', 'a: a', 'a: a', 'a: a', 'a: a', 'a: a']);
});
