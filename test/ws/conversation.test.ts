import assert from 'node:assert/strict';
import test from 'node:test';
import {ConversationMemory, fullBody, itemTexts} from '../../source/core/ws/conversation.ts';

const developer = {type: 'message', role: 'developer', content: [{type: 'input_text', text: 'base'}]};
const user = (text: string) => ({type: 'message', role: 'user', content: [{type: 'input_text', text}]});
const call = {type: 'function_call', call_id: 'c1', name: 'exec_command', arguments: '{}'};
const reasoning = {type: 'reasoning', id: 'rs_1', summary: [], encrypted_content: 'enc'};
const callOutput = {type: 'function_call_output', call_id: 'c1', output: 'ok'};
const fields = {model: 'gpt-5.5', stream: true, store: false, include: ['reasoning.encrypted_content']};
const texts = (items: unknown[]) => items.map((item) => JSON.stringify(item));

test('a request without previous_response_id stands for its own input', () => {
	const memory = new ConversationMemory();
	assert.deepEqual(memory.expand({...fields, input: [developer, user('hi')]}), {
		known: true,
		items: texts([developer, user('hi')]),
	});
});

test('an incremental request is the previous input, the previous output, then the new items', () => {
	const memory = new ConversationMemory();
	// The warm-up: the base instructions, no output.
	memory.remember(fields, texts([developer]), 'resp_warm', []);
	const first = memory.expand({...fields, previous_response_id: 'resp_warm', input: [user('run it')]});
	assert.deepEqual(first, {known: true, items: texts([developer, user('run it')])});
	assert.ok(first.known);
	memory.remember(fields, first.items, 'resp_1', texts([reasoning, call]));
	const second = memory.expand({...fields, previous_response_id: 'resp_1', input: [callOutput]});
	assert.deepEqual(second, {
		known: true,
		items: texts([developer, user('run it'), reasoning, call, callOutput]),
	});
	// Rebuilt for another socket: the full input and no previous_response_id.
	assert.ok(second.known);
	const body = fullBody(
		{type: 'response.create', ...fields, previous_response_id: 'resp_1', input: [callOutput]},
		second.items,
	);
	assert.equal(body.previous_response_id, undefined);
	assert.deepEqual(body.input, [developer, user('run it'), reasoning, call, callOutput]);
	assert.equal(body.type, 'response.create');
});

test('a request chaining from a response the connection does not hold is unknown', () => {
	const memory = new ConversationMemory();
	memory.remember(fields, texts([developer]), 'resp_1', []);
	assert.deepEqual(memory.expand({...fields, previous_response_id: 'resp_0', input: [user('x')]}), {
		known: false,
	});
	memory.clear();
	assert.deepEqual(memory.expand({...fields, previous_response_id: 'resp_1', input: [user('x')]}), {
		known: false,
	});
});

test('incremental: a full input that extends the input and output, with the same fields, sends only the new items', () => {
	const memory = new ConversationMemory();
	memory.remember(fields, texts([developer, user('run it')]), 'resp_1', texts([reasoning, call]));
	const full = texts([developer, user('run it'), reasoning, call, callOutput]);
	assert.deepEqual(memory.incremental(fields, full), {
		previousResponseId: 'resp_1',
		items: texts([callOutput]),
	});
	// A changed field, a changed history, or a shorter input: the full input goes.
	assert.equal(memory.incremental({...fields, model: 'other'}, full), undefined);
	assert.equal(
		memory.incremental(fields, texts([developer, user('changed'), reasoning, call, callOutput])),
		undefined,
	);
	assert.equal(memory.incremental(fields, texts([developer])), undefined);
	// client_metadata is not compared (Codex changes it every turn).
	assert.deepEqual(
		memory.incremental({...fields, client_metadata: {turn_id: '2'}}, full)?.items,
		texts([callOutput]),
	);
});

test("incremental: items compare without Codex's per-turn message metadata", () => {
	const memory = new ConversationMemory();
	const tagged = {...user('run it'), internal_chat_message_metadata_passthrough: {turn_id: 't1'}};
	memory.remember(fields, texts([developer, tagged]), 'resp_1', texts([call]));
	const full = texts([
		developer,
		{...user('run it'), internal_chat_message_metadata_passthrough: {turn_id: 't2'}},
		call,
		callOutput,
	]);
	assert.deepEqual(memory.incremental(fields, full)?.items, texts([callOutput]));
});

test('a string input is one user message; the memory reports the bytes it holds', () => {
	assert.deepEqual(itemTexts('hi'), texts([user('hi')]));
	const memory = new ConversationMemory();
	memory.remember(fields, texts([developer]), 'resp_1', texts([call]));
	assert.equal(memory.heldBytes, JSON.stringify(developer).length + JSON.stringify(call).length);
	assert.equal(memory.responseId, 'resp_1');
});

test('incremental: an output item as Codex sends it back (keys reordered, status dropped, content null) is the same', () => {
	const memory = new ConversationMemory();
	const produced = {
		id: 'rs_1',
		type: 'reasoning',
		summary: [],
		encrypted_content: 'enc',
		status: 'completed',
	};
	const resent = {type: 'reasoning', id: 'rs_1', summary: [], content: null, encrypted_content: 'enc'};
	memory.remember(fields, texts([developer]), 'resp_1', texts([produced]));
	assert.deepEqual(
		memory.incremental(fields, texts([developer, resent, callOutput]))?.items,
		texts([callOutput]),
	);
	// A different ciphertext is a different item.
	assert.equal(
		memory.incremental(fields, texts([developer, {...resent, encrypted_content: 'other'}])),
		undefined,
	);
});

test('holds and fullInput agree with expand; a memory without compareFields never answers incremental', () => {
	const memory = new ConversationMemory({compareFields: false});
	memory.remember(fields, texts([developer]), 'resp_warm', texts([call]));
	const chained = {...fields, previous_response_id: 'resp_warm', input: [callOutput]};
	assert.equal(memory.holds(chained), true);
	assert.deepEqual(memory.fullInput(chained), texts([developer, call, callOutput]));
	assert.equal(memory.holds({...chained, previous_response_id: 'resp_other'}), false);
	assert.deepEqual(memory.fullInput({...chained, previous_response_id: 'resp_other'}), []);
	assert.equal(memory.holds({...fields, input: [user('new')]}), true);
	assert.equal(memory.incremental(fields, texts([developer, call, callOutput])), undefined);
});
