import assert from 'node:assert/strict';
import {Readable} from 'node:stream';
import {test} from 'node:test';
import {createSseParser} from '../../source/core/sse/parse.ts';
import {readableBody} from '../helpers/dispatch-body.ts';
import {fixture, replayDispatch, sseResult, startRoutes, upstreamModels} from './helpers.ts';

const post = (url: string, body: unknown, headers: Record<string, string> = {}) =>
	fetch(url, {
		method: 'POST',
		headers: {'content-type': 'application/json', ...headers},
		body: typeof body === 'string' ? body : JSON.stringify(body),
	});

async function sseData(response: Response): Promise<string[]> {
	const parser = createSseParser();
	const messages = [...parser.push(await response.text()), ...parser.end()];
	return messages.map((message) => message.data);
}

test('responses, streaming: the upstream events pass as they come, backend-only events held back', async (t) => {
	const dispatch = replayDispatch('text');
	const server = await startRoutes(dispatch);
	t.after(server.close);
	const response = await post(
		`${server.url}/v1/responses`,
		{model: 'gpt-5.5', input: 'Hi', stream: true, temperature: 1},
		{authorization: `Bearer ${server.key}`},
	);
	assert.equal(response.status, 200);
	assert.match(response.headers.get('content-type') ?? '', /text\/event-stream/);
	const types = (await sseData(response)).map((data) => (JSON.parse(data) as {type: string}).type);
	assert.equal(types[0], 'response.created');
	assert.equal(types.at(-1), 'response.completed');
	assert.equal(types.includes('codex.rate_limits'), false);
	const request = dispatch.requests[0]!;
	assert.equal(request.path, '/codex/responses');
	assert.equal(request.body.stream, true);
	assert.equal(request.body.store, false);
	assert.equal('temperature' in request.body, false);
	assert.equal(request.client, 'node');
});

test('responses, not streaming: one Response object', async (t) => {
	const server = await startRoutes(replayDispatch('text'));
	t.after(server.close);
	const response = await post(`${server.url}/v1/responses`, {model: 'gpt-5.5', input: 'Hi'});
	assert.equal(response.status, 200);
	const body = (await response.json()) as {id: string; output: Array<{type: string}>};
	assert.equal(body.id, 'resp_abc123');
	assert.deepEqual(
		body.output.map((item) => item.type),
		['reasoning', 'message'],
	);
});

test('responses: a stream cut short ends with an error event (streaming) or a 502 (not)', async (t) => {
	const server = await startRoutes(replayDispatch('cut'));
	t.after(server.close);
	const streamed = await sseData(
		await post(`${server.url}/v1/responses`, {model: 'gpt-5.5', input: 'Hi', stream: true}),
	);
	assert.deepEqual(JSON.parse(streamed.at(-1)!), {
		type: 'error',
		code: 'stream_interrupted',
		message: 'The upstream stream ended before the response was complete. Retry the request.',
		param: null,
	});
	const whole = await post(`${server.url}/v1/responses`, {model: 'gpt-5.5', input: 'Hi'});
	assert.equal(whole.status, 502);
	assert.equal(((await whole.json()) as {error: {code: string}}).error.code, 'stream_interrupted');
});

test('responses: a failed response is an error status when nothing was streamed yet', async (t) => {
	const server = await startRoutes(replayDispatch('failed'));
	t.after(server.close);
	const response = await post(`${server.url}/v1/responses`, {model: 'gpt-5.5', input: 'Hi'});
	assert.equal(response.status, 429);
	assert.equal(((await response.json()) as {error: {code: string}}).error.code, 'rate_limit_exceeded');
});

test('chat, streaming: chunks then [DONE], with the usage chunk when asked', async (t) => {
	const server = await startRoutes(replayDispatch('text'));
	t.after(server.close);
	const data = await sseData(
		await post(`${server.url}/v1/chat/completions`, {
			model: 'gpt-5.5',
			messages: [{role: 'user', content: 'Hi'}],
			stream: true,
			stream_options: {include_usage: true},
		}),
	);
	assert.equal(data.at(-1), '[DONE]');
	const chunks = data
		.slice(0, -1)
		.map((text) => JSON.parse(text) as {choices: Array<{delta: {content?: string}}>; usage: unknown});
	assert.equal(chunks.map((chunk) => chunk.choices[0]?.delta.content ?? '').join(''), 'Hello, wörld 🌍!');
	assert.equal((chunks.at(-1)!.usage as {total_tokens: number}).total_tokens, 54);
});

test('chat, not streaming: one chat.completion with tool calls', async (t) => {
	const dispatch = replayDispatch('tools');
	const server = await startRoutes(dispatch);
	t.after(server.close);
	const response = await post(`${server.url}/v1/chat/completions`, {
		model: 'fast',
		messages: [{role: 'user', content: 'Weather and time in Paris?'}],
		tools: [{type: 'function', function: {name: 'get_weather', parameters: {type: 'object'}}}],
	});
	assert.equal(response.status, 200);
	const body = (await response.json()) as {
		object: string;
		choices: Array<{finish_reason: string; message: {tool_calls: unknown[]}}>;
	};
	assert.equal(body.object, 'chat.completion');
	assert.equal(body.choices[0]?.finish_reason, 'tool_calls');
	assert.equal(body.choices[0]?.message.tool_calls.length, 2);
	assert.equal(dispatch.requests[0]?.body.model, 'gpt-5.4-mini');
});

test('refused before anything goes upstream: malformed json, bad body, unknown model, wrong key', async (t) => {
	const dispatch = replayDispatch('text');
	let modelLookups = 0;
	const server = await startRoutes(dispatch, {
		models: async () => {
			modelLookups++;
			return upstreamModels;
		},
	});
	t.after(server.close);
	const cases: Array<[string, unknown, Record<string, string>, number, string]> = [
		['/v1/responses', '{"model": "gpt-5.5", "input": ', {}, 400, 'invalid_json'],
		['/v1/chat/completions', {model: 'gpt-5.5', messages: 'Hi'}, {}, 400, 'invalid_request'],
		[
			'/v1/chat/completions',
			{model: 'gpt-5.5', messages: [{role: 'user', content: 'x'}], n: 3},
			{},
			400,
			'unsupported_parameter',
		],
		['/v1/responses', {model: 'gpt-4o', input: 'x'}, {}, 404, 'model_not_found'],
		[
			'/v1/responses',
			{model: 'gpt-5.5', input: 'x'},
			{authorization: 'Bearer cxp_wrong'},
			401,
			'invalid_api_key',
		],
		['/v1/responses', 'x'.repeat(2 * 1024 * 1024), {}, 413, 'request_too_large'],
	];
	for (const [path, body, headers, status, code] of cases) {
		const response = await post(`${server.url}${path}`, body, headers);
		const json = (await response.json()) as {error: {message: string; type: string; code: string}};
		assert.equal(response.status, status, `${path} ${JSON.stringify(body).slice(0, 60)}`);
		assert.equal(json.error.code, code);
		assert.ok(json.error.message.length > 10);
		assert.equal(typeof json.error.type, 'string');
	}

	assert.equal(dispatch.requests.length, 0);
	assert.equal(modelLookups, 1, 'only the unknown model needed the model list');
});

test('requireKey refuses a keyless loopback client; a non-loopback bind refuses it too', async (t) => {
	const server = await startRoutes(replayDispatch('text'));
	t.after(server.close);
	server.settings.current = {...server.settings.current, requireKey: true};
	assert.equal(
		(await fetch(`${server.url}/v1/models`, {headers: {authorization: 'Bearer sk-placeholder'}})).status,
		401,
	);
	const refused = await fetch(`${server.url}/v1/models`);
	assert.equal(refused.status, 401);
	assert.equal(((await refused.json()) as {error: {code: string}}).error.code, 'missing_api_key');
	assert.equal(
		(await fetch(`${server.url}/v1/models`, {headers: {authorization: `Bearer ${server.key}`}})).status,
		200,
	);

	server.settings.current = {...server.settings.current, requireKey: false};
	assert.equal(
		(await fetch(`${server.url}/v1/models`, {headers: {authorization: 'Bearer sk-placeholder'}})).status,
		200,
	);
	assert.equal(
		(await fetch(`${server.url}/v1/models`, {headers: {authorization: 'Bearer cxp_revoked'}})).status,
		401,
	);

	const open = await startRoutes(replayDispatch('text'), {bindHost: '0.0.0.0'});
	t.after(open.close);
	assert.equal((await fetch(`${open.url}/v1/models`)).status, 401);
	assert.equal(
		(await fetch(`${open.url}/v1/models`, {headers: {authorization: 'Bearer sk-placeholder'}})).status,
		401,
	);
	assert.equal(
		(await fetch(`${open.url}/v1/models`, {headers: {authorization: `Bearer ${open.key}`}})).status,
		200,
	);
});

test('an exhausted pool is a 429 with resets_at and retry-after', async (t) => {
	const server = await startRoutes(
		replayDispatch(() => ({
			ok: false,
			status: 429,
			error: {
				type: 'usage_limit_reached',
				message: 'The usage limit has been reached',
				resets_at: 1_763_793_600,
				resets_in_seconds: 3600,
			},
		})),
	);
	t.after(server.close);
	const response = await post(`${server.url}/v1/chat/completions`, {
		model: 'gpt-5.5',
		messages: [{role: 'user', content: 'x'}],
	});
	assert.equal(response.status, 429);
	assert.equal(response.headers.get('retry-after'), '3600');
	const body = (await response.json()) as {error: {message: string; resets_at: number}};
	assert.equal(body.error.resets_at, 1_763_793_600);
	assert.match(body.error.message, /2025-11-22T06:40:00.000Z/);
});

test('models lists published models and aliases; other methods are not served', async (t) => {
	const server = await startRoutes(replayDispatch('text'));
	t.after(server.close);
	const body = (await (await fetch(`${server.url}/v1/models`)).json()) as {
		object: string;
		data: Array<{id: string}>;
	};
	assert.equal(body.object, 'list');
	assert.deepEqual(
		body.data.map((model) => model.id),
		['gpt-5.5', 'gpt-5.6-sol', 'fast'],
	);
	const deleted = await fetch(`${server.url}/v1/models`, {method: 'DELETE'});
	assert.equal(deleted.status, 404);
	assert.match(((await deleted.json()) as {error: {message: string}}).error.message, /does not serve DELETE/);
	const unavailable = await startRoutes(replayDispatch('text'), {
		models: async () => {
			throw new Error('no account');
		},
	});
	t.after(unavailable.close);
	assert.equal((await fetch(`${unavailable.url}/v1/models`)).status, 503);
});

test('a client that goes away aborts the upstream request', async (t) => {
	let signal: AbortSignal | undefined;
	const server = await startRoutes(
		replayDispatch((request) => {
			signal = request.signal;
			const head = fixture('text').split('event: response.output_text.delta')[0]!;
			// An upstream that sends the start, then never finishes.
			const body = new Readable({read() {}});
			body.push(head);
			return {...sseResult(''), body: readableBody(body)};
		}),
	);
	t.after(server.close);
	const response = await post(`${server.url}/v1/responses`, {model: 'gpt-5.5', input: 'x', stream: true}, {});
	const reader = response.body!.getReader();
	await reader.read();
	await reader.cancel();
	for (let i = 0; i < 50 && signal?.aborted !== true; i++) {
		await new Promise((resolve) => setTimeout(resolve, 10));
	}

	assert.equal(signal?.aborted, true);
});

test('an upstream connection that breaks mid-response ends the answer cleanly', async (t) => {
	const broken = () => {
		const head = fixture('text').split('event: response.output_text.done')[0]!;
		const body = new Readable({read() {}});
		body.push(head);
		setImmediate(() => body.destroy(new Error('other side closed')));
		return {...sseResult(''), body: readableBody(body)};
	};
	const server = await startRoutes(replayDispatch(broken));
	t.after(server.close);
	const chat = await sseData(
		await post(`${server.url}/v1/chat/completions`, {
			model: 'gpt-5.5',
			messages: [{role: 'user', content: 'x'}],
			stream: true,
		}),
	);
	assert.equal(chat.at(-1), '[DONE]');
	const error = JSON.parse(chat.at(-2)!) as {error: {code: string; message: string}};
	assert.equal(error.error.code, 'stream_interrupted');
	assert.match(error.error.message, /other side closed/);
	const streamed = await sseData(
		await post(`${server.url}/v1/responses`, {model: 'gpt-5.5', input: 'x', stream: true}),
	);
	assert.equal((JSON.parse(streamed.at(-1)!) as {type: string}).type, 'error');
	const whole = await post(`${server.url}/v1/responses`, {model: 'gpt-5.5', input: 'x'});
	assert.equal(whole.status, 502);
});

test('one model by id, or 404 in the OpenAI shape', async (t) => {
	const server = await startRoutes(replayDispatch('text'));
	t.after(server.close);
	assert.deepEqual(await (await fetch(`${server.url}/v1/models/fast`)).json(), {
		id: 'fast',
		object: 'model',
		created: 0,
		owned_by: 'codexpool',
	});
	const missing = await fetch(`${server.url}/v1/models/gpt-4o`);
	assert.equal(missing.status, 404);
	assert.equal(((await missing.json()) as {error: {code: string}}).error.code, 'model_not_found');
});
