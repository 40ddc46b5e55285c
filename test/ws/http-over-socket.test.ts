import assert from 'node:assert/strict';
import test from 'node:test';
import {hasCodexCli} from '../helpers/codex-cli.ts';
import {startPoolHarness, upstreamPosts, upstreamShape, upstreamTurnStates} from './pool-harness.ts';

// Codex over HTTP (no WebSocket to the pool) while the pool talks WebSocket upstream.
const skip = hasCodexCli() ? false : 'the Codex CLI is not installed (npm install)';
const LOOP = 'run the loop tool-rounds:3';
const done = /The tool said: [\s\S]*tool-round-3-of-3/;

test('an HTTP client rides the upstream WebSocket: full input first, then only the new items', {
	skip,
}, async (t) => {
	const h = await startPoolHarness(['a']);
	t.after(() => h.close());
	const run = await h.codex(LOOP, false);
	assert.equal(run.code, 0, run.stderr.slice(-1500));
	assert.match(run.stdout, done);
	assert.equal(upstreamPosts(h.upstream), 0);
	assert.deepEqual(upstreamShape(h.upstream), [
		'a: gen 4/4 completed, gen 1/7 +prev completed, gen 1/10 +prev completed, gen 1/13 +prev completed',
	]);
	// The session is an HTTP one for the client; the request log and usage as for any HTTP request.
	assert.equal(h.proxy.sessions.snapshots()[0]?.transport, 'http');
	assert.equal(h.events.request.length, 4);
	assert.ok(h.events.request.every((entry) => entry.status === 200 && entry.outputTokens > 0));
});

test('the setting off, or an upstream that refuses WebSocket: HTTP clients go upstream over HTTP', {
	skip,
}, async (t) => {
	const off = await startPoolHarness(['a'], {upstreamWebSocket: false});
	t.after(() => off.close());
	const first = await off.codex(LOOP, false);
	assert.equal(first.code, 0, first.stderr.slice(-1500));
	assert.equal(upstreamPosts(off.upstream), 4);
	assert.deepEqual(upstreamShape(off.upstream), []);

	const refused = await startPoolHarness(['a']);
	t.after(() => refused.close());
	refused.upstream.websockets.upgrade = 426;
	const second = await refused.codex(LOOP, false);
	assert.equal(second.code, 0, second.stderr.slice(-1500));
	assert.match(second.stdout, done);
	assert.equal(upstreamPosts(refused.upstream), 4);
});

test("a move of an HTTP session sends the whole conversation on the other account's socket", {
	skip,
}, async (t) => {
	const h = await startPoolHarness(['a', 'b']);
	t.after(() => h.close());
	h.proxy.pool.markPicked(h.id('b'));
	h.upstream.websockets.inject({kind: 'usage_limit_frame', account: 'a', skip: 1});
	const run = await h.codex(LOOP, false);
	assert.equal(run.code, 0, run.stderr.slice(-1500));
	assert.match(run.stdout, /^Hello from b\./);
	const shape = upstreamShape(h.upstream);
	assert.match(shape[0] ?? '', /^a: gen 4\/4 completed, gen 1\/\d+ \+prev error$/);
	assert.match(
		shape[1] ?? '',
		/^b: gen 6\/6 completed, gen 1\/9 \+prev completed, gen 1\/12 \+prev completed$/,
	);
	assert.match(h.events.move[0]?.reason ?? '', /usage limit; 1 encrypted reasoning item\(s\) removed/);
	// Codex keeps a's turn state for the rest of its turn (the first it got): b never gets it, not even on the
	// requests after the move, which no longer move.
	assert.deepEqual(upstreamTurnStates(h.upstream), ['a: -', 'a: a', 'b: -', 'b: -', 'b: -']);
});
