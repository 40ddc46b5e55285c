import assert from 'node:assert/strict';
import {test} from 'node:test';
import {
	deltaPieces,
	inputItems,
	readPrompt,
	requestedCall,
	toolNames,
} from '../../source/core/simulated-backend/reply.ts';

test('the prompt is the last user message; a bare string input is one', () => {
	assert.equal(readPrompt(inputItems({input: 'just text'})).userText, 'just text');
	const items = inputItems({
		input: [
			{type: 'message', role: 'user', content: [{type: 'input_text', text: '<environment_context/>'}]},
			{
				type: 'message',
				role: 'user',
				content: [
					{type: 'input_text', text: 'the '},
					{type: 'input_text', text: 'prompt'},
				],
			},
			{type: 'message', role: 'assistant', content: [{type: 'output_text', text: 'earlier answer'}]},
		],
	});
	assert.equal(readPrompt(items).userText, 'the prompt');
	assert.equal(readPrompt(items).toolOutput, undefined);
});

test('a tool output after the last user message is answered; one before it is not', () => {
	const output = {type: 'function_call_output', call_id: 'c1', output: 'result'};
	const user = {type: 'message', role: 'user', content: 'hi'};
	assert.equal(readPrompt([user, output]).toolOutput, 'result');
	assert.equal(readPrompt([output, user]).toolOutput, undefined);
});

test('"call NAME" calls only offered function tools, whatever their format', () => {
	const prompt = (text: string) => readPrompt([{type: 'message', role: 'user', content: text}]);
	const body = {
		tools: [
			{type: 'function', name: 'get_weather'},
			{type: 'function', function: {name: 'chat_style'}},
			{type: 'custom', name: 'apply_patch'},
		],
	};
	const items = [
		{type: 'additional_tools', role: 'developer', tools: [{type: 'function', name: 'lite_tool'}]},
	];
	const names = toolNames(body, items);
	assert.deepEqual([...names].sort(), ['chat_style', 'get_weather', 'lite_tool']);
	assert.equal(requestedCall(prompt('please call get_weather.'), names)?.name, 'get_weather');
	assert.equal(requestedCall(prompt('call chat_style {"a": 1}'), names)?.args, '{"a":1}');
	assert.equal(requestedCall(prompt('call lite_tool'), names)?.args, '{"text":"call lite_tool"}');
	assert.equal(requestedCall(prompt('call apply_patch'), names), undefined);
	assert.equal(requestedCall(prompt('call unknown_tool'), names), undefined);
});

test('deltaPieces gives exactly the count asked for and keeps the text', () => {
	const long = deltaPieces('one two three four five six seven', 3);
	assert.equal(long.pieces.length, 3);
	assert.equal(long.text, 'one two three four five six seven');
	const short = deltaPieces('Hello there', 10);
	assert.equal(short.pieces.length, 10);
	assert.ok(short.text.startsWith('Hello there '));
	assert.deepEqual(deltaPieces('a b', undefined).pieces, ['a', ' b']);
});
