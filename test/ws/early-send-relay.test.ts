import assert from 'node:assert/strict';
import test from 'node:test';
import {usageLimitFrame} from './fake-upstream.ts';
import {baseFields, connectClient, type RelayHarness, startRelayHarness, userItem} from './relay-harness.ts';

/*
The early send (early-send.ts) over real loopback: a `response.create` chained on the session's open socket goes
upstream before the pool reads it, and the pool reads it once its answer's first event went to the client. Whatever
then happens (the client leaving, the upstream closing, a failover), the pool must end up where the full path
would have: one request-log entry, the in-flight count back to 0, the full input on another socket, one
`response.created` for the client, and a memory that rebuilds the whole conversation at the next move.
*/

type Client = Awaited<ReturnType<typeof connectClient>>;

const developer = {
	type: 'message',
	role: 'developer',
	content: [{type: 'input_text', text: 'base instructions'}],
};

function responseId(frames: readonly Record<string, unknown>[]): string {
	return String((frames.at(-1)?.response as {id?: unknown} | undefined)?.id);
}

function types(frames: readonly Record<string, unknown>[]): string[] {
	return frames.map((frame) => String(frame.type));
}

/** Items of an upstream request's input as `type:role` (reasoning items show as `reasoning:`). */
function shape(body: Record<string, unknown> | undefined): string[] {
	const input = (body?.input ?? []) as {type: string; role?: string}[];
	return input.map((item) => `${item.type}:${item.role ?? ''}`);
}

async function until(condition: () => boolean, what: string): Promise<void> {
	for (let waited = 0; !condition(); waited += 5) {
		if (waited > 3000) {
			throw new Error(`timed out waiting for ${what}`);
		}

		await new Promise((resolve) => setTimeout(resolve, 5));
	}
}

/** A warm-up, which sets the session and the chain; the next chained frame is one the pool sends early. */
async function warm(client: Client): Promise<string> {
	return responseId(await client.request({...baseFields, generate: false, input: [developer]}));
}

function send(client: Client, body: Record<string, unknown>): void {
	client.socket.send(JSON.stringify({type: 'response.create', ...body}));
}

test('a client that leaves before the first event of a frame sent early still gets its request-log entry', async (t) => {
	// The upstream never answers a generating request: the turn waits for its first event.
	const h = await startRelayHarness(['a'], {
		behaviour: {answer: (request) => (request.body.generate === false ? undefined : [])},
	});
	t.after(() => h.close());
	const leaveBeforeFirstEvent = async (client: Client, body: Record<string, unknown>) => {
		const before = h.upstream.received.length;
		send(client, body);
		await until(() => h.upstream.received.length > before, 'the frame upstream');
		assert.equal(h.proxy.inFlight.current(), 1, 'the turn is in flight from its send');
		client.socket.close();
		await client.closed;
		await until(() => h.proxy.inFlight.current() === 0, 'the turn to end with its client');
	};

	// The full path first (a connection's first frame never goes early): an entry saying the client went away.
	const first = await connectClient(h.wsUrl, {'session-id': 'sess-full'});
	await leaveBeforeFirstEvent(first, {...baseFields, input: [userItem('hi')]});
	await until(() => h.events.request.length === 1, 'the entry of the full path');
	assert.equal(h.events.request[0]?.status, 502);
	assert.match(String(h.events.request[0]?.error), /client went away/);

	// The same on a frame sent early: the same entry.
	const client = await connectClient(h.wsUrl, {'session-id': 'sess-early'});
	const warmId = await warm(client);
	assert.equal(h.events.request.length, 2);
	await leaveBeforeFirstEvent(client, {...baseFields, previous_response_id: warmId, input: [userItem('hi')]});
	await new Promise((resolve) => setTimeout(resolve, 50));
	assert.equal(h.events.request.length, 3, 'one request-log entry per response.create that went upstream');
	const entry = h.events.request[2]!;
	assert.equal(entry.sessionId, 'sess-early');
	assert.equal(entry.accountId, 'a');
	assert.equal(entry.status, 502);
	assert.equal(entry.ttfbMs, undefined, 'no event reached the client');
	assert.match(String(entry.error), /client went away/);
	assert.equal(h.proxy.sessions.get('sess-early')?.inFlight, 0);
});

test('an upstream closing before the first event of a frame sent early: the full input on a new socket, once', async (t) => {
	let closeChained = true;
	const h = await startRelayHarness(['a'], {
		behaviour: {
			// The first chained request gets nothing: the test closes the socket under it.
			answer: (request) => (closeChained && request.body.previous_response_id !== undefined ? [] : undefined),
		},
	});
	t.after(() => h.close());
	const client = await connectClient(h.wsUrl);
	const warmId = await warm(client);
	const answer = client.request({...baseFields, previous_response_id: warmId, input: [userItem('one')]});
	await until(() => h.upstream.received.length === 2, 'the chained frame upstream');
	closeChained = false;
	h.upstream.closeAll(1011);
	const frames = await answer;
	assert.deepEqual(types(frames), [
		'codex.rate_limits',
		'response.created',
		'response.output_item.done',
		'response.output_text.delta',
		'response.output_item.done',
		'response.completed',
	]);
	const resent = h.upstream.received[2]!;
	assert.equal(resent.connection, 2, 'a new upstream socket');
	assert.equal(resent.body.previous_response_id, undefined);
	assert.deepEqual(shape(resent.body), ['message:developer', 'message:user'], 'the full input');
	assert.equal(h.events.request.length, 2);
	assert.equal(h.events.request[1]?.error, undefined);
	assert.equal(h.events.request[1]?.status, 200);

	// The memory follows the new socket: the next chained frame goes there as Codex sent it.
	const next = await client.request({
		...baseFields,
		previous_response_id: responseId(frames),
		input: [userItem('two')],
	});
	assert.equal(next.at(-1)?.type, 'response.completed');
	assert.equal(h.upstream.received[3]?.connection, 2);
	assert.deepEqual(h.upstream.received[3]?.body.input, [userItem('two')]);
	assert.equal(h.proxy.inFlight.current(), 0);
	assert.equal(h.proxy.sessions.get('sess-1')?.turns, 3);
});

/** Frames of an account that announces its usage limit after opening the response. */
function createdThenExhausted(id: string): string[] {
	return [
		JSON.stringify({type: 'response.created', response: {id, status: 'in_progress'}}),
		usageLimitFrame(900),
	];
}

async function exhaustedAfterCreated(
	t: test.TestContext,
): Promise<{h: RelayHarness; exhaust: (id: string) => void}> {
	let exhausted: string | undefined;
	const h = await startRelayHarness(['a', 'b'], {
		behaviour: {
			answer: (request, id) => (request.accountId === exhausted ? createdThenExhausted(id) : undefined),
		},
	});
	t.after(() => h.close());
	return {
		h,
		exhaust: (id) => {
			exhausted = id;
		},
	};
}

test('a failover after a frame sent early: the full input elsewhere, one response.created, and a memory that rebuilds everything at the next move', async (t) => {
	const {h, exhaust} = await exhaustedAfterCreated(t);
	const client = await connectClient(h.wsUrl);
	const warmId = await warm(client);
	const one = await client.request({...baseFields, previous_response_id: warmId, input: [userItem('one')]});
	const home = h.upstream.received[0]!.accountId;
	const other = home === 'a' ? 'b' : 'a';
	assert.deepEqual(
		h.upstream.received.map((request) => request.connection),
		[1, 1],
		'the chained frame went on the same socket',
	);

	// The home account opens the response, then says it is exhausted: the client must see one response only.
	exhaust(home);
	const two = await client.request({
		...baseFields,
		previous_response_id: responseId(one),
		input: [userItem('two')],
	});
	assert.deepEqual(types(two), [
		'response.created',
		'codex.rate_limits',
		'response.output_item.done',
		'response.output_text.delta',
		'response.output_item.done',
		'response.completed',
	]);
	const moved = h.upstream.received.at(-1)!;
	assert.equal(moved.accountId, other);
	assert.equal(moved.body.previous_response_id, undefined);
	assert.deepEqual(
		shape(moved.body),
		['message:developer', 'message:user', 'message:assistant', 'message:user'],
		"the whole conversation, without the home account's reasoning",
	);
	assert.equal(h.proxy.pool.isUsable(home), false);
	assert.deepEqual(h.events.request.at(-1)?.failedOver, [home]);
	assert.equal(h.events.request.at(-1)?.status, 200);

	// Chained again on the other account's socket (early), then moved back: everything, rebuilt from memory.
	exhaust('none');
	const three = await client.request({
		...baseFields,
		previous_response_id: responseId(two),
		input: [userItem('three')],
	});
	assert.deepEqual(h.upstream.received.at(-1)?.body.input, [userItem('three')]);
	h.proxy.pool.markCooling(other, Date.now() + 3_600_000, 'quota');
	h.proxy.pool.markCooling(home, Date.now() - 1, 'quota');
	const four = await client.request({
		...baseFields,
		previous_response_id: responseId(three),
		input: [userItem('four')],
	});
	assert.equal(four.at(-1)?.type, 'response.completed');
	const back = h.upstream.received.at(-1)!;
	assert.equal(back.accountId, home);
	assert.equal(back.body.previous_response_id, undefined);
	// Its own reasoning of turn one stays (it can read it); the other account's of turns two and three do not.
	assert.deepEqual(shape(back.body), [
		'message:developer',
		'message:user',
		'reasoning:',
		'message:assistant',
		'message:user',
		'message:assistant',
		'message:user',
		'message:assistant',
		'message:user',
	]);
	assert.equal(h.proxy.inFlight.current(), 0);
	assert.equal(h.proxy.sessions.get('sess-1')?.inFlight, 0);
});

test('a compacted session stays on its drained account over WebSocket too, also on the incremental frames after the compaction', async (t) => {
	const h = await startRelayHarness(['a', 'b']);
	t.after(() => h.close());
	const client = await connectClient(h.wsUrl);
	await warm(client);
	const home = h.upstream.received[0]!.accountId;
	// Codex resends the whole (compacted) history after a compaction: the item its account issued, then new turns.
	const compaction = {type: 'compaction', encrypted_content: `cmp-${home}`};
	h.proxy.issuers.record(home, `cmp-${home}`);
	const compacted = await client.request({...baseFields, input: [developer, compaction, userItem('after')]});
	assert.equal(compacted.at(-1)?.type, 'response.completed');
	const records = h.proxy.pool
		.list()
		.map((account) =>
			account.record.id === home
				? {...account.record, marks: {...account.record.marks, drained: true}}
				: account.record,
		);
	h.proxy.pool.setRecords(records);

	// The next frame chains (only its new item): the compaction is in the conversation, not in the frame.
	const next = await client.request({
		...baseFields,
		previous_response_id: responseId(compacted),
		input: [userItem('two')],
	});
	assert.equal(next.at(-1)?.type, 'response.completed');
	assert.equal(
		h.upstream.received.at(-1)?.accountId,
		home,
		'the session stays where its compaction can be read',
	);
	assert.deepEqual(h.upstream.received.at(-1)?.body.input, [userItem('two')]);
	assert.deepEqual(h.events.move, []);
});
