import assert from 'node:assert/strict';
import test from 'node:test';
import WebSocket from 'ws';
import {type EarlySendState, sendsEarly} from '../../source/core/ws/early-send.ts';

const socket = {readyState: WebSocket.OPEN} as WebSocket;
const state: EarlySendState = {
	home: 'a',
	leaveReason: () => undefined,
	upstream: {socket, accountId: 'a', openedAt: 0},
	maxAgeMs: 1000,
	now: 10,
	responseId: 'resp_1',
	chainsHere: true,
	turnStateForeign: false,
};
const frame = (fields: Record<string, unknown>) =>
	Buffer.from(JSON.stringify({type: 'response.create', model: 'gpt-5.5', ...fields}));

test('a response.create chained on the open socket of its account goes upstream before it is read', () => {
	assert.equal(sendsEarly(frame({previous_response_id: 'resp_1', input: []}), state), true);
	assert.equal(sendsEarly(frame({input: []}), state), true, 'a full request on the same socket');
});

test('anything the pool would decide otherwise waits for the full reading', () => {
	const chained = frame({previous_response_id: 'resp_1', input: []});
	assert.equal(sendsEarly(frame({previous_response_id: 'resp_0', input: []}), state), false, 'another chain');
	assert.equal(sendsEarly(chained, {...state, chainsHere: false}), false, 'chained on another socket');
	assert.equal(sendsEarly(chained, {...state, home: undefined}), false, 'a first request');
	assert.equal(sendsEarly(chained, {...state, home: 'b'}), false, 'the socket is another account');
	assert.equal(
		sendsEarly(chained, {...state, leaveReason: () => 'drained'}),
		false,
		'the session must leave',
	);
	assert.equal(sendsEarly(chained, {...state, now: 1000}), false, 'the socket is too old');
	assert.equal(sendsEarly(chained, {...state, upstream: undefined}), false, 'no socket');
	const closed = {...state.upstream!, socket: {readyState: WebSocket.CLOSED} as WebSocket};
	assert.equal(sendsEarly(chained, {...state, upstream: closed}), false, 'a closed socket');
	const encrypted = frame({
		previous_response_id: 'resp_1',
		input: [{type: 'reasoning', encrypted_content: 'x'}],
	});
	assert.equal(sendsEarly(encrypted, state), false, 'an encrypted item');
	const turnState = frame({previous_response_id: 'resp_1', client_metadata: {'x-codex-turn-state': 't'}});
	assert.equal(
		sendsEarly(turnState, {...state, turnStateForeign: true}),
		false,
		"another account's turn state",
	);
	assert.equal(sendsEarly(turnState, state), true, 'its own turn state');
	assert.equal(
		sendsEarly(Buffer.from('{"type":"response.processed"}'), state),
		false,
		'not a response.create',
	);
	const spaced = Buffer.from('{"type":"response.create","previous_response_id": "resp_1"}');
	assert.equal(sendsEarly(spaced, state), false, 'a key written otherwise');
	const twice = frame({
		previous_response_id: 'resp_1',
		input: [{type: 'message', content: [{type: 'input_text', text: 'previous_response_id'}]}],
	});
	assert.equal(sendsEarly(twice, state), false, 'the name twice');
});
