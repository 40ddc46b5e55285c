import assert from 'node:assert/strict';
import {test} from 'node:test';
import {responseToChatCompletion} from '../../source/core/openai/chat-response.ts';
import {createResponseAssembler} from '../../source/core/openai/response-assembler.ts';
import {fixtureEvents} from './helpers.ts';

async function assemble(name: string) {
	const assembler = createResponseAssembler();
	for (const event of await fixtureEvents(name)) {
		assembler.push(event);
	}

	return assembler.result();
}

test('an empty completed output is rebuilt from the item events', async () => {
	const result = await assemble('text');
	assert.equal(result.kind, 'response');
	const response = result.kind === 'response' ? result.response : {};
	assert.equal(response.id, 'resp_abc123');
	assert.equal(response.status, 'completed');
	assert.deepEqual(response.output, [
		{id: 'rs_1', type: 'reasoning', summary: [], encrypted_content: 'gAAAAenc'},
		{
			id: 'msg_1',
			type: 'message',
			status: 'completed',
			role: 'assistant',
			content: [{type: 'output_text', text: 'Hello, wörld 🌍!', annotations: []}],
		},
	]);
	assert.equal((response.usage as {total_tokens: number}).total_tokens, 54);
});

test('a completed output that is present is kept as sent', () => {
	const assembler = createResponseAssembler();
	const output = [{type: 'message', role: 'assistant', content: [{type: 'output_text', text: 'x'}]}];
	assembler.push({type: 'response.completed', response: {id: 'resp_2', status: 'completed', output}});
	assert.deepEqual(assembler.result(), {
		kind: 'response',
		response: {id: 'resp_2', status: 'completed', output},
	});
});

test('text deltas without an output_item.done still make the message', async () => {
	const result = await assemble('incomplete');
	assert.equal(result.kind, 'response');
	const response = result.kind === 'response' ? result.response : {};
	assert.equal(response.status, 'incomplete');
	assert.deepEqual((response.output as Array<{content: unknown}>)[0]?.content, [
		{type: 'output_text', text: 'Partial', annotations: []},
	]);
});

test('failed and cut streams are reported as such', async () => {
	assert.deepEqual(await assemble('failed'), {
		kind: 'failed',
		error: {code: 'rate_limit_exceeded', message: 'Rate limit reached. Please try again in 1.5s.'},
	});
	assert.deepEqual(await assemble('cut'), {kind: 'cut'});
});

test('a chat completion from text', async () => {
	const result = await assemble('text');
	assert.ok(result.kind === 'response');
	assert.deepEqual(responseToChatCompletion(result.response, 'fast', 0), {
		id: 'chatcmpl-abc123',
		object: 'chat.completion',
		created: 1763790000,
		model: 'gpt-5.5',
		choices: [
			{
				index: 0,
				message: {role: 'assistant', content: 'Hello, wörld 🌍!', refusal: null, annotations: []},
				logprobs: null,
				finish_reason: 'stop',
			},
		],
		usage: {
			prompt_tokens: 42,
			completion_tokens: 12,
			total_tokens: 54,
			prompt_tokens_details: {cached_tokens: 10},
			completion_tokens_details: {reasoning_tokens: 4},
		},
	});
});

test('a chat completion from parallel tool calls', async () => {
	const result = await assemble('tools');
	assert.ok(result.kind === 'response');
	const choice = (
		responseToChatCompletion(result.response, 'fast', 0).choices as Array<Record<string, unknown>>
	)[0]!;
	assert.equal(choice.finish_reason, 'tool_calls');
	assert.deepEqual(choice.message, {
		role: 'assistant',
		content: null,
		refusal: null,
		annotations: [],
		tool_calls: [
			{id: 'call_w1', type: 'function', function: {name: 'get_weather', arguments: '{"city":"Paris"}'}},
			{id: 'call_t2', type: 'function', function: {name: 'get_time', arguments: '{"tz":"Europe/Paris"}'}},
		],
	});
});

test('an incomplete response finishes with length', async () => {
	const result = await assemble('incomplete');
	assert.ok(result.kind === 'response');
	const choice = (
		responseToChatCompletion(result.response, 'fast', 0).choices as Array<Record<string, unknown>>
	)[0]!;
	assert.equal(choice.finish_reason, 'length');
});
