import assert from 'node:assert/strict';
import {test} from 'node:test';
import {type ChatStreamPayload, createChatStreamTranslator} from '../../source/core/openai/chat-stream.ts';
import {fixtureEvents} from './helpers.ts';

async function translate(name: string, includeUsage = false): Promise<ChatStreamPayload[]> {
	const translator = createChatStreamTranslator({model: 'fast', includeUsage, now: 0});
	const out: ChatStreamPayload[] = [];
	for (const event of await fixtureEvents(name)) {
		out.push(...translator.push(event));
	}

	out.push(...translator.end());
	return out;
}

const deltas = (chunks: ChatStreamPayload[]) =>
	chunks.map(
		(chunk) => (chunk.choices as Array<{delta: Record<string, unknown>; finish_reason: string | null}>)[0],
	);

test('text: role first, then content deltas, then stop', async () => {
	const chunks = await translate('text');
	assert.equal(chunks[0]?.object, 'chat.completion.chunk');
	assert.equal(chunks[0]?.id, 'chatcmpl-abc123');
	assert.equal(chunks[0]?.model, 'gpt-5.5');
	assert.equal(chunks[0]?.created, 1763790000);
	assert.deepEqual(
		deltas(chunks).map((choice) => [choice?.delta, choice?.finish_reason]),
		[
			[{role: 'assistant', content: ''}, null],
			[{content: 'Hello'}, null],
			[{content: ', wörld'}, null],
			[{content: ' 🌍!'}, null],
			[{}, 'stop'],
		],
	);
	assert.equal('usage' in chunks[0]!, false);
});

test('usage: every chunk says usage null and a last chunk with no choices carries it', async () => {
	const chunks = await translate('text', true);
	assert.equal(chunks[0]?.usage, null);
	const last = chunks.at(-1)!;
	assert.deepEqual(last.choices, []);
	assert.deepEqual(last.usage, {
		prompt_tokens: 42,
		completion_tokens: 12,
		total_tokens: 54,
		prompt_tokens_details: {cached_tokens: 10},
		completion_tokens_details: {reasoning_tokens: 4},
	});
});

test('parallel tool calls keep their index; arguments stream in pieces; finish is tool_calls', async () => {
	const choices = deltas(await translate('tools'));
	assert.deepEqual(choices[0]?.delta, {role: 'assistant', content: ''});
	assert.deepEqual(choices[1]?.delta, {
		tool_calls: [{index: 0, id: 'call_w1', type: 'function', function: {name: 'get_weather', arguments: ''}}],
	});
	assert.deepEqual(choices[2]?.delta, {
		tool_calls: [{index: 1, id: 'call_t2', type: 'function', function: {name: 'get_time', arguments: ''}}],
	});
	const pieces = choices
		.slice(3, -1)
		.map((choice) => (choice!.delta.tool_calls as Array<{index: number; function: {arguments: string}}>)[0]);
	assert.deepEqual(
		pieces.map((piece) => [piece?.index, piece?.function.arguments]),
		[
			[0, '{"city":'],
			[1, '{"tz":"Europe/'],
			[0, '"Paris"}'],
			[1, 'Paris"}'],
		],
	);
	assert.equal(choices.at(-1)?.finish_reason, 'tool_calls');
});

test('a function call whose arguments come only with output_item.done is still sent whole', () => {
	const translator = createChatStreamTranslator({model: 'm', includeUsage: false, now: 0});
	const item = {id: 'fc_9', type: 'function_call', call_id: 'call_9', name: 'f', arguments: '{"a":1}'};
	const out = [
		...translator.push({type: 'response.output_item.done', output_index: 0, item}),
		...translator.push({type: 'response.completed', response: {status: 'completed'}}),
	];
	assert.deepEqual(
		deltas(out).map((choice) => choice?.delta),
		[
			{role: 'assistant', content: ''},
			{tool_calls: [{index: 0, id: 'call_9', type: 'function', function: {name: 'f', arguments: ''}}]},
			{tool_calls: [{index: 0, function: {arguments: '{"a":1}'}}]},
			{},
		],
	);
});

test('incomplete for max_output_tokens finishes with length', async () => {
	const choices = deltas(await translate('incomplete'));
	assert.deepEqual(choices[1]?.delta, {content: 'Partial'});
	assert.equal(choices.at(-1)?.finish_reason, 'length');
});

test('a failed response ends with an error payload', async () => {
	const chunks = await translate('failed');
	assert.deepEqual(chunks.at(-1), {
		error: {
			message: 'Rate limit reached. Please try again in 1.5s.',
			type: 'upstream_error',
			code: 'rate_limit_exceeded',
			param: null,
		},
	});
	assert.equal(chunks.length, 2);
});

test('a stream cut before completion ends with a stream_interrupted error', async () => {
	const chunks = await translate('cut');
	assert.equal((chunks.at(-1)!.error as {code: string}).code, 'stream_interrupted');
	assert.deepEqual(deltas(chunks.slice(0, -1)).at(-1)?.delta, {content: 'Half a sen'});
});
