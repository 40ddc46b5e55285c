import assert from 'node:assert/strict';
import {test} from 'node:test';
import {OpenAiError} from '../../source/core/openai/errors.ts';
import {defaultInstructions, normaliseResponsesBody} from '../../source/core/openai/responses-request.ts';

const refused = (body: unknown, param: string | RegExp) =>
	assert.throws(
		() => normaliseResponsesBody(body, 'gpt-5.5'),
		(error: unknown) =>
			error instanceof OpenAiError &&
			error.status === 400 &&
			(typeof param === 'string' ? error.param === param : param.test(error.message)),
	);

test('forces stream and store, drops what the backend refuses, supplies instructions', () => {
	const {body, stream} = normaliseResponsesBody(
		{
			model: 'alias',
			input: 'Hi',
			stream: false,
			store: true,
			max_output_tokens: 100,
			max_completion_tokens: 5,
			temperature: 0.2,
			top_p: 0.9,
			truncation: 'auto',
			user: 'u1',
			prompt_cache_retention: '24h',
			reasoning: {effort: 'low'},
			prompt_cache_key: 'k1',
			service_tier: 'auto',
		},
		'gpt-5.5',
	);
	assert.equal(stream, false);
	assert.deepEqual(body, {
		model: 'gpt-5.5',
		input: [{type: 'message', role: 'user', content: [{type: 'input_text', text: 'Hi'}]}],
		instructions: defaultInstructions,
		reasoning: {effort: 'low'},
		prompt_cache_key: 'k1',
		include: ['reasoning.encrypted_content'],
		stream: true,
		store: false,
	});
});

test('keeps given instructions and reports a streaming request', () => {
	const {body, stream} = normaliseResponsesBody(
		{model: 'm', input: [], instructions: 'Be terse.', stream: true},
		'gpt-5.5',
	);
	assert.equal(body.instructions, 'Be terse.');
	assert.equal(stream, true);
});

test('system messages become developer; shorthand messages get a type and content parts', () => {
	const {body} = normaliseResponsesBody(
		{
			model: 'm',
			input: [
				{role: 'system', content: 'Rules'},
				{type: 'message', role: 'user', content: [{type: 'input_text', text: 'Q'}]},
				{role: 'assistant', content: 'A'},
				{type: 'function_call_output', call_id: 'c1', output: '42'},
			],
		},
		'gpt-5.5',
	);
	assert.deepEqual(body.input, [
		{type: 'message', role: 'developer', content: [{type: 'input_text', text: 'Rules'}]},
		{type: 'message', role: 'user', content: [{type: 'input_text', text: 'Q'}]},
		{type: 'message', role: 'assistant', content: [{type: 'output_text', text: 'A'}]},
		{type: 'function_call_output', call_id: 'c1', output: '42'},
	]);
});

test('include_obfuscation is removed from stream_options; other options stay', () => {
	const {body} = normaliseResponsesBody(
		{model: 'm', input: 'x', stream_options: {include_obfuscation: false}},
		'gpt-5.5',
	);
	assert.equal('stream_options' in body, false);
	const kept = normaliseResponsesBody(
		{model: 'm', input: 'x', stream_options: {reasoning_summary_delivery: 'sequential_cutoff'}},
		'g',
	);
	assert.deepEqual(kept.body.stream_options, {reasoning_summary_delivery: 'sequential_cutoff'});
});

test('malformed bodies are refused with a 400 naming the field', () => {
	refused([], /JSON object/);
	refused(null, /JSON object/);
	refused({input: 'x'}, 'model');
	refused({model: 'm'}, 'input');
	refused({model: 'm', input: 5}, 'input');
	refused({model: 'm', input: ['text']}, 'input[0]');
	refused({model: 'm', input: [{role: 'robot', content: 'x'}]}, 'input[0].role');
	refused({model: 'm', input: [{role: 'user', content: 7}]}, 'input[0].content');
	refused({model: 'm', input: [{content: 'no type or role'}]}, 'input[0]');
	refused({model: 'm', input: 'x', stream: 'yes'}, 'stream');
	refused({model: 'm', input: 'x', instructions: 5}, 'instructions');
});

test('what needs stored state is refused, not dropped', () => {
	refused({model: 'm', input: 'x', previous_response_id: 'resp_1'}, 'previous_response_id');
	refused({model: 'm', input: 'x', conversation: 'conv_1'}, 'conversation');
	refused({model: 'm', input: 'x', background: true}, 'background');
	refused({model: 'm', input: [{type: 'item_reference', id: 'msg_1'}]}, 'input[0]');
});

test('replayed output loses its item ids; reasoning without encrypted content is left out; include keeps the client entries', () => {
	const {body} = normaliseResponsesBody(
		{
			model: 'm',
			include: ['message.output_text.logprobs', 'reasoning.encrypted_content'],
			input: [
				{role: 'user', content: 'x'},
				{id: 'rs_1', type: 'reasoning', summary: [], encrypted_content: 'gAAA'},
				{id: 'rs_2', type: 'reasoning', summary: []},
				{
					id: 'fc_1',
					type: 'function_call',
					call_id: 'call_1',
					name: 'f',
					arguments: '{}',
					status: 'completed',
				},
				{type: 'function_call_output', call_id: 'call_1', output: 'ok'},
			],
		},
		'g',
	);
	assert.deepEqual(body.input, [
		{type: 'message', role: 'user', content: [{type: 'input_text', text: 'x'}]},
		{type: 'reasoning', summary: [], encrypted_content: 'gAAA'},
		{type: 'function_call', call_id: 'call_1', name: 'f', arguments: '{}', status: 'completed'},
		{type: 'function_call_output', call_id: 'call_1', output: 'ok'},
	]);
	assert.deepEqual(body.include, ['message.output_text.logprobs', 'reasoning.encrypted_content']);
	refused({model: 'm', input: 'x', include: 'all'}, 'include');
});

test('service_tier priority passes; auto and default are no preference', () => {
	assert.equal(
		normaliseResponsesBody({model: 'm', input: 'x', service_tier: 'priority'}, 'g').body.service_tier,
		'priority',
	);
	assert.equal(
		'service_tier' in normaliseResponsesBody({model: 'm', input: 'x', service_tier: 'default'}, 'g').body,
		false,
	);
});
