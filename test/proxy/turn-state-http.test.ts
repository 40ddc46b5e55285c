import assert from 'node:assert/strict';
import test from 'node:test';
import {hasCodexCli} from '../helpers/codex-cli.ts';
import {startPoolHarness} from '../ws/pool-harness.ts';

const skip = hasCodexCli() ? false : 'the Codex CLI is not installed (npm install)';

test('a move over HTTP: the turn state Codex keeps for the rest of its turn never reaches the other account', {
	skip,
}, async (t) => {
	// The real Codex CLI over HTTP, and the pool over HTTP upstream too.
	const h = await startPoolHarness(['a', 'b'], {upstreamWebSocket: false});
	t.after(() => h.close());
	h.proxy.pool.markPicked(h.id('b'));
	let exhausted = false;
	h.proxy.events.on('request', (entry) => {
		// a runs out after the loop's first request: the second moves to b, the third and fourth no longer move.
		if (!exhausted && entry.accountId === h.id('a') && entry.outputTokens > 0) {
			exhausted = true;
			h.upstream.accounts.exhaust('a');
		}
	});
	const run = await h.codex('run the loop tool-rounds:3', false);
	assert.equal(run.code, 0, run.stderr.slice(-1500));
	assert.match(run.stdout, /^Hello from b\./);
	// Codex took a's turn state from its first answer's headers and sends it for the rest of the turn.
	const posts = h.upstream.log
		.filter((entry) => entry.method === 'POST' && entry.path === '/backend-api/codex/responses')
		.map((entry) => {
			const value = entry.headers['x-codex-turn-state'];
			return `${entry.account} ${entry.status}: ${typeof value === 'string' ? h.upstream.issuerOf(value) : '-'}`;
		});
	assert.deepEqual(posts, ['a 200: -', 'a 429: a', 'b 200: -', 'b 200: -', 'b 200: -']);
});
