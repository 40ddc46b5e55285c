import assert from 'node:assert/strict';
import {test} from 'node:test';
import OpenAI from 'openai';
import {command as keysCommand} from '../../source/commands/keys.ts';
import {runCommand} from '../commands/run.ts';
import {startPool} from './e2e-harness.ts';

// These tests drive the official openai SDK through the whole pool: proxy server, engine, simulated upstream.

const client = (baseURL: string, apiKey: string) =>
	new OpenAI({baseURL, apiKey, maxRetries: 0, timeout: 10_000});

const weatherTool = {
	type: 'function' as const,
	function: {
		name: 'get_weather',
		description: 'The weather in a city',
		parameters: {type: 'object', properties: {city: {type: 'string'}}, required: ['city']},
	},
};

test('sdk: responses, not streaming and streaming', async (t) => {
	const pool = await startPool();
	t.after(pool.close);
	const openai = client(pool.baseURL, pool.key);
	const response = await openai.responses.create({
		model: 'gpt-5.5',
		input: 'Say hi',
		temperature: 0.3,
		max_output_tokens: 100,
	});
	assert.equal(response.status, 'completed');
	assert.match(response.output_text, /You said: Say hi/);
	assert.ok((response.usage?.total_tokens ?? 0) > 0);

	const stream = await openai.responses.create({
		model: 'gpt-5.5',
		instructions: 'Be brief.',
		input: [
			{role: 'system', content: 'Rules'},
			{role: 'user', content: 'Stream please'},
		],
		stream: true,
	});
	let text = '';
	const types: string[] = [];
	for await (const event of stream) {
		types.push(event.type);
		if (event.type === 'response.output_text.delta') {
			text += event.delta;
		}
	}

	assert.equal(types[0], 'response.created');
	assert.equal(types.at(-1), 'response.completed');
	assert.match(text, /You said: Stream please/);
	assert.ok(
		types.filter((type) => type === 'response.output_text.delta').length > 1,
		'text arrives in pieces',
	);

	const helper = openai.responses.stream({model: 'gpt-5.5', input: 'helper'});
	const final = await helper.finalResponse();
	assert.match(final.output_text, /You said: helper/);
});

test('sdk: chat completions, not streaming and streaming with usage', async (t) => {
	const pool = await startPool();
	t.after(pool.close);
	const openai = client(pool.baseURL, pool.key);
	const completion = await openai.chat.completions.create({
		model: 'gpt-5.5',
		messages: [
			{role: 'system', content: 'You are terse.'},
			{role: 'user', content: 'Hello pool'},
		],
		temperature: 0,
		max_tokens: 50,
	});
	assert.equal(completion.object, 'chat.completion');
	assert.match(completion.choices[0]?.message.content ?? '', /You said: Hello pool/);
	assert.equal(completion.choices[0]?.finish_reason, 'stop');
	assert.ok((completion.usage?.prompt_tokens ?? 0) > 0);

	const stream = await openai.chat.completions.create({
		model: 'gpt-5.5',
		messages: [{role: 'user', content: 'Stream me'}],
		stream: true,
		stream_options: {include_usage: true},
	});
	let text = '';
	let finish: string | null = null;
	let usage: OpenAI.CompletionUsage | null | undefined;
	let first: OpenAI.ChatCompletionChunk | undefined;
	for await (const chunk of stream) {
		first ??= chunk;
		text += chunk.choices[0]?.delta.content ?? '';
		finish = chunk.choices[0]?.finish_reason ?? finish;
		usage = chunk.usage ?? usage;
	}

	assert.equal(first?.choices[0]?.delta.role, 'assistant');
	assert.match(text, /You said: Stream me/);
	assert.equal(finish, 'stop');
	assert.ok((usage?.completion_tokens ?? 0) > 0);

	const helper = openai.chat.completions.stream({
		model: 'gpt-5.5',
		messages: [{role: 'user', content: 'helper'}],
	});
	const final = await helper.finalChatCompletion();
	assert.match(final.choices[0]?.message.content ?? '', /You said: helper/);
});

test('sdk: a tool-call round trip over chat completions, streamed and not', async (t) => {
	const pool = await startPool();
	t.after(pool.close);
	const openai = client(pool.baseURL, pool.key);
	const messages: OpenAI.ChatCompletionMessageParam[] = [
		{role: 'user', content: 'call get_weather {"city":"Paris"}'},
	];
	const first = await openai.chat.completions.create({model: 'gpt-5.5', messages, tools: [weatherTool]});
	const choice = first.choices[0]!;
	assert.equal(choice.finish_reason, 'tool_calls');
	const call = choice.message.tool_calls?.[0];
	assert.ok(call?.type === 'function');
	assert.equal(call.function.name, 'get_weather');
	assert.deepEqual(JSON.parse(call.function.arguments), {city: 'Paris'});

	messages.push(choice.message, {role: 'tool', tool_call_id: call.id, content: 'Sunny, 21°C'});
	const answer = await openai.chat.completions.create({model: 'gpt-5.5', messages, tools: [weatherTool]});
	assert.match(answer.choices[0]?.message.content ?? '', /The tool said: Sunny, 21°C/);

	// Streamed: the call arrives as index, id and name, then the arguments in pieces.
	const streamed = openai.chat.completions.stream({
		model: 'gpt-5.5',
		messages: [{role: 'user', content: 'call get_weather {"city":"Lyon"}'}],
		tools: [weatherTool],
	});
	const final = await streamed.finalChatCompletion();
	const streamedCall = final.choices[0]?.message.tool_calls?.[0];
	assert.ok(streamedCall?.type === 'function');
	assert.deepEqual(JSON.parse(streamedCall.function.arguments), {city: 'Lyon'});
	assert.equal(final.choices[0]?.finish_reason, 'tool_calls');
});

test('sdk: a tool-call round trip over responses', async (t) => {
	const pool = await startPool();
	t.after(pool.close);
	const openai = client(pool.baseURL, pool.key);
	const tools: OpenAI.Responses.Tool[] = [
		{type: 'function', name: 'get_weather', parameters: weatherTool.function.parameters, strict: false},
	];
	const input: OpenAI.Responses.ResponseInput = [{role: 'user', content: 'call get_weather {"city":"Oslo"}'}];
	const first = await openai.responses.create({model: 'gpt-5.5', input, tools});
	const call = first.output.find((item) => item.type === 'function_call');
	assert.ok(call?.type === 'function_call');
	assert.deepEqual(JSON.parse(call.arguments), {city: 'Oslo'});
	input.push(...(first.output as OpenAI.Responses.ResponseInputItem[]), {
		type: 'function_call_output',
		call_id: call.call_id,
		output: 'Snow',
	});
	const second = await openai.responses.create({model: 'gpt-5.5', input, tools});
	assert.match(second.output_text, /The tool said: Snow/);
});

test('sdk: models, wrong key, malformed body', async (t) => {
	const pool = await startPool();
	t.after(pool.close);
	const models = await client(pool.baseURL, pool.key).models.list();
	const ids = models.data.map((model) => model.id);
	assert.ok(ids.includes('gpt-5.5'), ids.join(','));
	assert.ok(models.data.every((model) => model.owned_by === 'codexpool' && model.object === 'model'));
	assert.equal((await client(pool.baseURL, pool.key).models.retrieve('gpt-5.5')).id, 'gpt-5.5');

	await assert.rejects(
		client(pool.baseURL, 'cxp_not-a-key').chat.completions.create({
			model: 'gpt-5.5',
			messages: [{role: 'user', content: 'x'}],
		}),
		(error: unknown) => {
			assert.ok(error instanceof OpenAI.AuthenticationError);
			assert.equal(error.status, 401);
			assert.equal(error.code, 'invalid_api_key');
			return true;
		},
	);

	await assert.rejects(
		client(pool.baseURL, pool.key).chat.completions.create({
			model: 'gpt-5.5',
			messages: [{role: 'user', content: 'x'}],
			n: 2,
		}),
		(error: unknown) =>
			error instanceof OpenAI.BadRequestError && error.param === 'n' && /one choice/.test(error.message),
	);
	const raw = await fetch(`${pool.baseURL}/responses`, {
		method: 'POST',
		headers: {authorization: `Bearer ${pool.key}`, 'content-type': 'application/json'},
		body: '{"model":',
	});
	assert.equal(raw.status, 400);
	assert.equal(((await raw.json()) as {error: {code: string}}).error.code, 'invalid_json');
	const upstreamTurns = () =>
		// Model requests: POSTs or WebSocket frames, not the WebSocket handshake (a GET).
		pool.upstream.log.filter((entry) => entry.path.includes('/codex/responses') && entry.method !== 'GET')
			.length;
	assert.equal(upstreamTurns(), 0, 'nothing went upstream');
	await client(pool.baseURL, pool.key).responses.create({model: 'gpt-5.5', input: 'x'});
	assert.equal(upstreamTurns(), 1, 'the upstream log does see a valid request');
});

test('sdk: an exhausted account fails over invisibly; an exhausted pool is a 429 with resets_at', async (t) => {
	const pool = await startPool(['a', 'b']);
	t.after(pool.close);
	const openai = client(pool.baseURL, pool.key);
	pool.upstream.faults.inject({kind: 'usage_limit_reached'});
	const completion = await openai.chat.completions.create({
		model: 'gpt-5.5',
		messages: [{role: 'user', content: 'failover'}],
	});
	assert.match(completion.choices[0]?.message.content ?? '', /You said: failover/);
	assert.equal(pool.failovers.length, 1);

	pool.upstream.accounts.exhaust('a');
	pool.upstream.accounts.exhaust('b');
	await assert.rejects(openai.responses.create({model: 'gpt-5.5', input: 'anyone?'}), (error: unknown) => {
		assert.ok(error instanceof OpenAI.RateLimitError, String(error));
		assert.equal(error.code, 'usage_limit_reached');
		assert.match(error.message, /earliest account resets at/);
		assert.equal(typeof (error.error as {resets_at?: unknown}).resets_at, 'number');
		return true;
	});
	// A client with the SDK's default retries does not hammer an exhausted pool: x-should-retry says no.
	let calls = 0;
	const patient = new OpenAI({
		baseURL: pool.baseURL,
		apiKey: pool.key,
		fetch: async (url, init) => {
			calls++;
			return fetch(url, init);
		},
	});
	await assert.rejects(patient.responses.create({model: 'gpt-5.5', input: 'again?'}), OpenAI.RateLimitError);
	assert.equal(calls, 1);
});

test('sdk: a connection broken after the first byte is an APIError, not a dead socket; a failed response too', async (t) => {
	const pool = await startPool(['a', 'b']);
	t.after(pool.close);
	const openai = client(pool.baseURL, pool.key);
	pool.upstream.faults.inject({kind: 'reset_after_first_byte'});
	const stream = await openai.chat.completions.create({
		model: 'gpt-5.5',
		messages: [{role: 'user', content: 'x'}],
		stream: true,
	});
	await assert.rejects(
		(async () => {
			for await (const _chunk of stream) {
				// Reading until the error.
			}
		})(),
		(error: unknown) => error instanceof OpenAI.APIError && /connection broke/.test(error.message),
	);
	pool.upstream.faults.inject({kind: 'response_failed_rate_limit'});
	await assert.rejects(
		openai.responses.create({model: 'gpt-5.5', input: 'y'}),
		(error: unknown) => error instanceof OpenAI.RateLimitError && /try again in 1.5s/.test(error.message),
	);
	const next = await openai.responses.create({model: 'gpt-5.5', input: 'z'});
	assert.match(next.output_text, /You said: z/);
});

test('sdk: a key revoked with `codexpool keys revoke` stops working on the running pool; aliases resolve', async (t) => {
	const pool = await startPool();
	t.after(pool.close);
	const openai = client(pool.baseURL, pool.key);
	const ids = (await openai.models.list()).data.map((model) => model.id);
	assert.ok(ids.includes('fast'), ids.join(','));
	const aliased = await openai.chat.completions.create({
		model: 'fast',
		messages: [{role: 'user', content: 'alias'}],
	});
	assert.match(aliased.choices[0]?.message.content ?? '', /You said: alias/);
	assert.equal(aliased.model, 'gpt-5.6-sol', 'the alias named the upstream model');
	const revoked = await runCommand(keysCommand, ['revoke', 'e2e', '--home', pool.store.home]);
	assert.equal(revoked.code, 0, revoked.stderr);
	await assert.rejects(openai.models.list(), (error: unknown) => error instanceof OpenAI.AuthenticationError);
	// requireKey is on in this pool: a placeholder key is refused too.
	await assert.rejects(
		client(pool.baseURL, 'sk-unused').models.list(),
		(error: unknown) => error instanceof OpenAI.AuthenticationError && error.code === 'invalid_api_key',
	);
	pool.store.setSettings({requireKey: false});
	const placeholder = await client(pool.baseURL, 'sk-unused').models.list();
	assert.ok(placeholder.data.length > 0, 'a loopback placeholder passes without requireKey');
	await assert.rejects(openai.models.list(), OpenAI.AuthenticationError, 'a revoked cxp_ key never passes');
});
