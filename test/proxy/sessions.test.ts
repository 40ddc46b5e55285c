import assert from 'node:assert/strict';
import test from 'node:test';
import {startRig} from '../helpers/rig.ts';
import {postTurn, sseEvents, turnBody} from './harness.ts';

/** The items a completed turn adds to the history a Codex client resends (reasoning + assistant message). */
function outputItems(text: string): unknown[] {
	return sseEvents(text)
		.filter((event) => event.type === 'response.output_item.done')
		.map((event) => event.item);
}

test('a session sticks to its account across turns', async (t) => {
	const h = await startRig({accounts: ['a', 'b']});
	t.after(() => h.close());
	const first = await postTurn(h.url, turnBody('one'), {'session-id': 's1'});
	const history = [...(turnBody('one').input as unknown[]), ...outputItems(first.text)];
	const second = await postTurn(h.url, turnBody('two', history), {'session-id': 's1'});
	assert.equal(second.status, 200);
	assert.equal(h.events.request[0]?.accountId, h.events.request[1]?.accountId);
	assert.equal(h.events.move.length, 0);
	assert.equal(h.sessions.get('s1')?.turns, 2);
});

test('a move strips the encrypted reasoning of the old account (no 400) and is recorded', async (t) => {
	const h = await startRig({accounts: ['a', 'b']});
	t.after(() => h.close());
	const first = await postTurn(h.url, turnBody('one'), {'session-id': 's1'});
	const items = outputItems(first.text);
	assert.ok(
		items.some((item) => (item as {type: string}).type === 'reasoning'),
		'the turn produced reasoning',
	);
	const home = h.events.request[0]!.accountId!;
	const homeName = h.upstream.accounts.list().find((account) => account.accountId === home)!.name;
	h.upstream.accounts.exhaust(homeName);

	const history = [...(turnBody('one').input as unknown[]), ...items];
	const second = await postTurn(h.url, turnBody('two', history), {'session-id': 's1'});
	assert.equal(second.status, 200, second.text.slice(0, 300));
	assert.equal(sseEvents(second.text).at(-1)?.type, 'response.completed');
	const moved = h.events.request[1]!;
	assert.notEqual(moved.accountId, home);
	assert.equal(h.events.move.length, 1);
	assert.equal(h.events.move[0]?.from, home);
	assert.equal(h.events.move[0]?.to, moved.accountId);
	assert.match(h.events.move[0]?.reason ?? '', /usage limit.*reasoning/);

	const forwarded = h.upstream.log
		.filter((logged) => logged.path.startsWith('/backend-api/codex/responses') && logged.status === 200)
		.at(-1);
	const input = (forwarded!.body as {input: {type: string}[]}).input;
	assert.equal(input.filter((item) => item.type === 'reasoning').length, 0);
	assert.ok(
		input.some((item) => item.type === 'message' && (item as {role?: string}).role === 'assistant'),
		'the visible answer stays',
	);
	assert.equal(h.sessions.get('s1')?.moves, 1);
});

test('a replay after a failover strips the reasoning the failed account issued', async (t) => {
	const h = await startRig({accounts: ['a', 'b']});
	t.after(() => h.close());
	const first = await postTurn(h.url, turnBody('one'), {'session-id': 's1'});
	const home = h.events.request[0]!.accountId!;
	const homeName = h.upstream.accounts.list().find((account) => account.accountId === home)!.name;
	// The home account answers 503 once: the session's next turn is replayed on the other account.
	h.upstream.faults.inject({kind: 'server_error', account: homeName});
	const history = [...(turnBody('one').input as unknown[]), ...outputItems(first.text)];
	const second = await postTurn(h.url, turnBody('two', history), {'session-id': 's1'});
	assert.equal(second.status, 200, second.text.slice(0, 300));
	assert.deepEqual(h.events.request[1]?.failedOver, [home]);
	assert.equal(h.events.move.length, 1);
});

test('400 invalid_encrypted_content: every encrypted item is stripped and the request retried once', async (t) => {
	const h = await startRig({accounts: ['a']});
	t.after(() => h.close());
	const first = await postTurn(h.url, turnBody('one'), {'session-id': 's1'});
	h.upstream.faults.inject({kind: 'invalid_encrypted_content'});
	const history = [...(turnBody('one').input as unknown[]), ...outputItems(first.text)];
	const second = await postTurn(h.url, turnBody('two', history), {'session-id': 's1'});
	assert.equal(second.status, 200);
	// Model requests (POSTs or WebSocket frames), not WebSocket handshakes.
	const posts = h.upstream.log.filter(
		(logged) => logged.path.startsWith('/backend-api/codex/responses') && logged.method !== 'GET',
	);
	assert.equal(posts.length, 3);
	assert.equal(posts[1]?.status, 400);
	const retried = (posts[2]!.body as {input: {encrypted_content?: string}[]}).input;
	assert.equal(retried.filter((item) => item.encrypted_content !== undefined).length, 0);
});

test('a session begun before the pool: one 400 for its unknown reasoning, then its turns leave it out', async (t) => {
	// The upstream knows an account the pool does not hold: the user's login before switching to the pool. Over
	// HTTP upstream, so that each request carries the whole input the test inspects (a socket sends only new items).
	const h = await startRig({
		accounts: ['a', 'before'],
		poolHolds: ['a'],
		settings: {upstreamWebSocket: false},
	});
	t.after(() => h.close());
	const {upstream} = h;
	const before = upstream.accounts.get('before');
	const direct = await fetch(`${upstream.backendUrl}/codex/responses`, {
		method: 'POST',
		headers: {
			'content-type': 'application/json',
			authorization: `Bearer ${before.tokens.accessToken}`,
			'chatgpt-account-id': before.accountId,
		},
		body: JSON.stringify(turnBody('one')),
	});
	const history = [...(turnBody('one').input as unknown[]), ...outputItems(await direct.text())];
	const posts = () =>
		h.upstream.log.filter(
			(logged) => logged.path.startsWith('/backend-api/codex/responses') && logged.method !== 'GET',
		);
	const sentBefore = posts().length;

	const second = await postTurn(h.url, turnBody('two', history), {'session-id': 'old'});
	assert.equal(second.status, 200, second.text.slice(0, 300));
	assert.deepEqual(
		posts()
			.slice(sentBefore)
			.map((logged) => logged.status),
		[400, 200],
		'the first turn through the pool pays one 400 and a stripped retry',
	);

	const third = await postTurn(
		h.url,
		turnBody('three', [...(turnBody('two', history).input as unknown[]), ...outputItems(second.text)]),
		{'session-id': 'old'},
	);
	assert.equal(third.status, 200, third.text.slice(0, 300));
	const after = posts().slice(sentBefore + 2);
	assert.deepEqual(
		after.map((logged) => logged.status),
		[200],
		'the next turn goes through at once',
	);
	const input = (after[0]!.body as {input: {type: string}[]}).input;
	assert.equal(
		input.filter((item) => item.type === 'reasoning').length,
		1,
		"the reasoning the pool's account issued stays; the unknown one is left out",
	);
});

test('a compacted session whose account must move loses the compaction item, with a notice', async (t) => {
	const h = await startRig({accounts: ['a', 'b']});
	t.after(() => h.close());
	const compactBody = turnBody('compact me');
	(compactBody.input as unknown[]).push({type: 'compaction_trigger'});
	const compacted = await postTurn(h.url, compactBody, {'session-id': 's1'});
	const compaction = outputItems(compacted.text).find(
		(item) => (item as {type: string}).type === 'compaction',
	);
	assert.ok(compaction, 'the upstream answered with one compaction item');
	const home = h.events.request[0]!.accountId!;
	h.pool.setRecords(
		h.pool
			.list()
			.map((account) =>
				account.record.id === home
					? {...account.record, marks: {...account.record.marks, drained: true}}
					: account.record,
			),
	);
	// Drained: a compacted session stays while its account is usable.
	const next = await postTurn(h.url, turnBody('next', [compaction]), {'session-id': 's1'});
	assert.equal(next.status, 200);
	assert.equal(h.events.request[1]?.accountId, home);

	// Evicted: it must move, and the compacted context is dropped.
	h.pool.setRecords(
		h.pool
			.list()
			.map((account) =>
				account.record.id === home
					? {...account.record, marks: {...account.record.marks, evicted: true}}
					: account.record,
			),
	);
	const moved = await postTurn(h.url, turnBody('after', [compaction]), {'session-id': 's1'});
	assert.equal(moved.status, 200, moved.text.slice(0, 200));
	assert.notEqual(h.events.request[2]?.accountId, home);
	assert.match(h.events.move[0]?.reason ?? '', /evicted.*compacted context dropped/);
	assert.ok(h.events.notice.some((notice) => /compacted context/.test(notice.message)));
});
