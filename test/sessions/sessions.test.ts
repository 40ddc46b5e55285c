import assert from 'node:assert/strict';
import test from 'node:test';
import {createManualClock} from '../../source/core/clock.ts';
import {createRandom} from '../../source/core/random.ts';
import {sessionIdentity} from '../../source/core/sessions/identity.ts';
import {createIssuerRegistry} from '../../source/core/sessions/issuers.ts';
import {createSessionRegistry} from '../../source/core/sessions/registry.ts';
import {hasCompaction, recordRejectedItems, stripBoundItems} from '../../source/core/sessions/strip.ts';

test('session identity: first match wins in the documented order', () => {
	const body = {prompt_cache_key: 'pck', input: 'hello'};
	assert.deepEqual(sessionIdentity({'session-id': 's', 'thread-id': 't'}, body), {id: 's', source: 'header'});
	assert.equal(sessionIdentity({session_id: 's_'}, body).id, 's_');
	assert.equal(sessionIdentity({'thread-id': 't', 'x-codex-session-id': 'x'}, body).id, 't');
	assert.equal(sessionIdentity({'x-codex-session-id': 'x', conversation_id: 'c'}, body).id, 'x');
	assert.equal(sessionIdentity({conversation_id: 'c'}, body).id, 'c');
	assert.deepEqual(sessionIdentity({}, body), {id: 'pck', source: 'prompt_cache_key'});
});

test('without hints, the session is a hash of instructions and first user input, stable across turns', () => {
	const turn1 = {
		instructions: 'be brief',
		input: [{role: 'user', content: [{type: 'input_text', text: 'hi'}]}],
	};
	const turn2 = {
		instructions: 'be brief',
		input: [...turn1.input, {role: 'assistant', content: 'hello'}, {role: 'user', content: 'more'}],
	};
	const other = {instructions: 'be brief', input: [{role: 'user', content: 'bye'}]};
	const id = sessionIdentity({}, turn1);
	assert.equal(id.source, 'content-hash');
	assert.equal(sessionIdentity({}, turn2).id, id.id);
	assert.notEqual(sessionIdentity({}, other).id, id.id);
	// Only the first 512 characters count.
	const long = (tail: string) => ({input: `${'x'.repeat(512)}${tail}`});
	assert.equal(sessionIdentity({}, long('a')).id, sessionIdentity({}, long('b')).id);
});

const reasoning = (content: string) => ({
	type: 'reasoning',
	id: `rs_${content}`,
	summary: [],
	encrypted_content: content,
});

test('strip modes: foreign-known, move, all', () => {
	const issuers = createIssuerRegistry();
	issuers.record('A', 'from-a');
	issuers.record('B', 'from-b');
	const body = {
		input: [
			reasoning('from-a'),
			reasoning('from-b'),
			reasoning('unknown'),
			{type: 'message', role: 'user', content: 'x'},
		],
		previous_response_id: 'resp_1',
	};
	const ids = (result: {body: Record<string, unknown>}) =>
		(result.body.input as {id?: string; type: string}[]).map((item) => item.id ?? item.type);

	const foreign = stripBoundItems(body, 'A', issuers, 'foreign');
	assert.deepEqual(ids(foreign), ['rs_from-a', 'rs_unknown', 'message']);
	assert.equal(foreign.body.previous_response_id, 'resp_1');

	const move = stripBoundItems(body, 'A', issuers, 'move');
	assert.deepEqual(ids(move), ['rs_from-a', 'message']);
	assert.equal(move.removedReasoning, 2);
	assert.equal(move.body.previous_response_id, undefined);

	const all = stripBoundItems(body, 'A', issuers, 'all');
	assert.deepEqual(ids(all), ['message']);
	assert.equal(body.input.length, 4, 'the original body is untouched');
});

test('an item of unknown origin that an account refused is left out for that account only', () => {
	const issuers = createIssuerRegistry();
	issuers.record('A', 'from-a');
	const sent = {
		input: [reasoning('from-a'), reasoning('unknown'), {type: 'message', role: 'user', content: 'x'}],
	};
	recordRejectedItems(sent, 'A', issuers);
	const ids = (result: {body: Record<string, unknown>}) =>
		(result.body.input as {id?: string; type: string}[]).map((item) => item.id ?? item.type);
	assert.deepEqual(ids(stripBoundItems(sent, 'A', issuers, 'foreign')), ['rs_from-a', 'message']);
	assert.deepEqual(ids(stripBoundItems(sent, 'B', issuers, 'foreign')), ['rs_unknown', 'message']);
	assert.equal(issuers.rejectedBy('from-a', 'A'), false, 'what A issued is never marked refused by A');
});

test('compaction items are counted as lost; other encrypted fields are cleared, not the item', () => {
	const issuers = createIssuerRegistry();
	const body = {
		input: [
			{type: 'compaction', encrypted_content: 'c'},
			{type: 'function_call', call_id: 'x', encrypted_content: 'f'},
		],
	};
	assert.equal(hasCompaction(body), true);
	const result = stripBoundItems(body, 'A', issuers, 'move');
	assert.equal(result.removedCompaction, 1);
	assert.equal(result.clearedOther, 1);
	assert.deepEqual(result.body.input, [{type: 'function_call', call_id: 'x'}]);
});

test('an unchanged body is returned as is (no copy on the hot path)', () => {
	const issuers = createIssuerRegistry();
	const body = {input: [{type: 'message', role: 'user', content: 'x'}]};
	assert.equal(stripBoundItems(body, 'A', issuers, 'foreign').body, body);
});

test('the issuer registry is bounded', () => {
	const issuers = createIssuerRegistry(3);
	for (const content of ['1', '2', '3', '4']) {
		issuers.record('A', content);
	}

	assert.equal(issuers.size, 3);
	assert.equal(issuers.issuerOf('1'), undefined);
	assert.equal(issuers.issuerOf('4'), 'A');
});

test('session registry: moves, turns, running counts, bounded size', () => {
	const clock = createManualClock(0);
	const sessions = createSessionRegistry({clock, capacity: 2, activeWindowMs: 1000});
	sessions.assign('s1', 'A', 'codex_exec');
	sessions.begin('s1');
	sessions.end('s1', {inputTokens: 10, cachedTokens: 2, outputTokens: 5});
	sessions.assign('s1', 'B', 'codex_exec');
	assert.deepEqual(
		[sessions.get('s1')?.moves, sessions.get('s1')?.turns, sessions.get('s1')?.inputTokens],
		[1, 1, 10],
	);
	assert.deepEqual([...sessions.runningCounts()], [['B', 1]]);
	clock.advance(2000);
	assert.deepEqual([...sessions.runningCounts()], []);
	sessions.assign('s2', 'A', 'x');
	sessions.assign('s3', 'A', 'x');
	assert.equal(sessions.size, 2);
	assert.equal(sessions.get('s1'), undefined, 'the least recently active session is dropped');
	assert.deepEqual(
		sessions.snapshots().map((session) => session.id),
		['s3', 's2'],
	);
});

test('session registry: the running counts are those of every session in flight or active within the window, whatever happened before', () => {
	const window = 10 * 60_000;
	for (const seed of [1, 2, 3, 4, 5, 6, 7, 8]) {
		const random = createRandom(seed);
		const clock = createManualClock(0);
		const sessions = createSessionRegistry({clock, capacity: 40, ttlMs: 3_600_000, activeWindowMs: window});
		const pick = <T>(values: readonly T[]) => values[Math.floor(random() * values.length)]!;
		const ids = Array.from({length: 60}, (_, index) => `s${index}`);
		for (let step = 0; step < 3000; step++) {
			const id = pick(ids);
			const roll = random();
			if (roll < 0.35) {
				sessions.assign(id, pick(['A', 'B', 'C']), 'x');
			} else if (roll < 0.6) {
				sessions.begin(id);
			} else if (roll < 0.85) {
				sessions.end(id, undefined);
			} else {
				// Steps of up to a quarter hour, so sessions leave the window in every order.
				clock.advance(Math.floor(random() * window * 1.5));
			}

			// What the counts mean, from the snapshots of every session held.
			const expected = new Map<string, number>();
			for (const session of sessions.snapshots()) {
				if (session.active || clock.now() - session.lastActivityAt <= window) {
					expected.set(session.accountId, (expected.get(session.accountId) ?? 0) + 1);
				}
			}

			const sorted = (counts: Map<string, number>) => [...counts].sort(([a], [b]) => a.localeCompare(b));
			assert.deepEqual(sorted(sessions.runningCounts()), sorted(expected), `seed ${seed}, step ${step}`);
		}
	}
});
