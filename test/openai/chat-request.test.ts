import assert from 'node:assert/strict';
import {test} from 'node:test';
import {chatToResponses} from '../../source/core/openai/chat-request.ts';
import {OpenAiError} from '../../source/core/openai/errors.ts';
import {defaultInstructions} from '../../source/core/openai/responses-request.ts';

const refused = (body: Record<string, unknown>, param: string) =>
	assert.throws(
		() => chatToResponses({model: 'm', messages: [{role: 'user', content: 'x'}], ...body}, 'gpt-5.5'),
		(error: unknown) =>
			error instanceof OpenAiError &&
			error.status === 400 &&
			error.param === param &&
			error.message.length > 20,
		`expected a 400 on ${param}`,
	);

test('a full conversation with tools translates to a Responses body', () => {
	const {body, options} = chatToResponses(
		{
			model: 'fast',
			stream: true,
			stream_options: {include_usage: true},
			temperature: 0.1,
			max_tokens: 50,
			messages: [
				{role: 'system', content: 'Sys'},
				{role: 'developer', content: [{type: 'text', text: 'Dev'}]},
				{
					role: 'user',
					content: [
						{type: 'text', text: 'What is this?'},
						{type: 'image_url', image_url: {url: 'data:image/png;base64,AAAA', detail: 'low'}},
					],
				},
				{
					role: 'assistant',
					content: null,
					tool_calls: [
						{id: 'call_1', type: 'function', function: {name: 'look', arguments: '{"x":1}'}},
						{id: 'call_2', type: 'function', function: {name: 'look', arguments: '{"x":2}'}},
					],
				},
				{role: 'tool', tool_call_id: 'call_1', content: 'one'},
				{role: 'tool', tool_call_id: 'call_2', content: [{type: 'text', text: 'two'}]},
				{role: 'assistant', content: 'Done.'},
			],
			tools: [
				{
					type: 'function',
					function: {name: 'look', description: 'Looks', parameters: {type: 'object'}, strict: true},
				},
			],
			tool_choice: {type: 'function', function: {name: 'look'}},
			parallel_tool_calls: true,
			response_format: {
				type: 'json_schema',
				json_schema: {name: 'out', schema: {type: 'object'}, strict: true},
			},
			reasoning_effort: 'high',
			prompt_cache_key: 'conv-9',
		},
		'gpt-5.5',
	);
	assert.deepEqual(options, {stream: true, includeUsage: true, model: 'fast'});
	assert.deepEqual(body, {
		model: 'gpt-5.5',
		instructions: defaultInstructions,
		input: [
			{type: 'message', role: 'developer', content: [{type: 'input_text', text: 'Sys'}]},
			{type: 'message', role: 'developer', content: [{type: 'input_text', text: 'Dev'}]},
			{
				type: 'message',
				role: 'user',
				content: [
					{type: 'input_text', text: 'What is this?'},
					{type: 'input_image', image_url: 'data:image/png;base64,AAAA', detail: 'low'},
				],
			},
			{type: 'function_call', call_id: 'call_1', name: 'look', arguments: '{"x":1}'},
			{type: 'function_call', call_id: 'call_2', name: 'look', arguments: '{"x":2}'},
			{type: 'function_call_output', call_id: 'call_1', output: 'one'},
			{type: 'function_call_output', call_id: 'call_2', output: 'two'},
			{type: 'message', role: 'assistant', content: [{type: 'output_text', text: 'Done.'}]},
		],
		stream: true,
		store: false,
		tools: [
			{type: 'function', name: 'look', description: 'Looks', parameters: {type: 'object'}, strict: true},
		],
		tool_choice: {type: 'function', name: 'look'},
		parallel_tool_calls: true,
		text: {format: {type: 'json_schema', name: 'out', schema: {type: 'object'}, strict: true}},
		reasoning: {effort: 'high'},
		prompt_cache_key: 'conv-9',
	});
});

test('a plain request is not streamed and has no usage chunk', () => {
	const {body, options} = chatToResponses({model: 'm', messages: [{role: 'user', content: 'Hi'}]}, 'gpt-5.5');
	assert.deepEqual(options, {stream: false, includeUsage: false, model: 'm'});
	assert.equal(body.stream, true);
	assert.equal(body.store, false);
	assert.equal('tools' in body, false);
});

test('json_object, text and verbosity map to text', () => {
	const json = chatToResponses(
		{
			model: 'm',
			messages: [{role: 'user', content: 'x'}],
			response_format: {type: 'json_object'},
			verbosity: 'low',
		},
		'g',
	);
	assert.deepEqual(json.body.text, {verbosity: 'low', format: {type: 'json_object'}});
	const text = chatToResponses(
		{model: 'm', messages: [{role: 'user', content: 'x'}], response_format: {type: 'text'}},
		'g',
	);
	assert.equal('text' in text.body, false);
});

test('an assistant message with text and a refusal keeps both', () => {
	const {body} = chatToResponses(
		{model: 'm', messages: [{role: 'assistant', content: [{type: 'text', text: 'a'}], refusal: 'no'}]},
		'g',
	);
	assert.deepEqual(body.input, [
		{
			type: 'message',
			role: 'assistant',
			content: [
				{type: 'output_text', text: 'a'},
				{type: 'refusal', refusal: 'no'},
			],
		},
	]);
});

test('what cannot be translated is a 400 naming the parameter', () => {
	refused({n: 2}, 'n');
	refused({logprobs: true}, 'logprobs');
	refused({top_logprobs: 3}, 'logprobs');
	refused({audio: {voice: 'alloy'}}, 'audio');
	refused({modalities: ['text', 'audio']}, 'modalities');
	refused({stop: ['\n']}, 'stop');
	refused({logit_bias: {'50256': -100}}, 'logit_bias');
	refused({functions: [{name: 'f'}]}, 'functions');
	refused({function_call: 'auto'}, 'function_call');
	refused({frobnicate: true}, 'frobnicate');
	refused({tools: [{type: 'custom', custom: {name: 'x'}}]}, 'tools[0].type');
	refused({tool_choice: 'sometimes'}, 'tool_choice');
	refused({response_format: {type: 'yaml'}}, 'response_format');
	refused({messages: [{role: 'robot', content: 'x'}]}, 'messages[0].role');
	refused({messages: [{role: 'function', name: 'f', content: 'x'}]}, 'messages[0].name');
	refused({messages: [{role: 'user', name: 'bob', content: 'x'}]}, 'messages[0].name');
	refused(
		{messages: [{role: 'assistant', function_call: {name: 'f', arguments: '{}'}}]},
		'messages[0].function_call',
	);
	refused(
		{messages: [{role: 'user', content: [{type: 'input_audio', input_audio: {data: 'x', format: 'wav'}}]}]},
		'messages[0].content[0]',
	);
	refused(
		{messages: [{role: 'user', content: [{type: 'file', file: {file_id: 'file-1'}}]}]},
		'messages[0].content[0].file',
	);
	refused({messages: [{role: 'tool', content: 'x'}]}, 'messages[0].tool_call_id');
	refused({messages: []}, 'messages');
	refused({stream: 'yes'}, 'stream');
});

test('harmless defaults of untranslatable parameters pass', () => {
	const {body} = chatToResponses(
		{
			model: 'm',
			messages: [{role: 'user', content: 'x'}],
			n: 1,
			logprobs: false,
			stop: null,
			modalities: ['text'],
		},
		'g',
	);
	assert.equal(body.model, 'g');
});
