import assert from 'node:assert/strict';
import {after, before, test} from 'node:test';
import {type SimulatedUpstream, startSimulatedUpstream} from '../../source/core/simulated-backend/index.ts';
import {authHeaders, codexBody, completed, deltaText, postResponses, streamEvents} from './helpers.ts';

let upstream: SimulatedUpstream;
before(async () => {
	upstream = await startSimulatedUpstream({accounts: [{name: 'a'}, {name: 'b', plan: 'pro'}]});
});
after(() => upstream.close());

test('a turn streams real SSE frames from response.created to response.completed', async () => {
	const response = await postResponses(upstream, 'a', codexBody('say hi'));
	assert.equal(response.status, 200);
	assert.match(response.headers.get('content-type') ?? '', /^text\/event-stream/);
	const events = await streamEvents(response);
	assert.equal(events[0]?.event, 'response.created');
	assert.equal(events.at(-1)?.event, 'response.completed');
	for (const {event, data} of events) {
		assert.equal(data.type, event);
	}

	assert.equal(deltaText(events), 'Hello from a. You said: say hi');
	const types = events
		.filter((e) => e.event === 'response.output_item.done')
		.map((e) => (e.data.item as {type: string}).type);
	assert.deepEqual(types, ['reasoning', 'message']);
});

test('response.completed carries the usage Codex reads, and the cache is per account and prompt_cache_key', async () => {
	const body = codexBody('cache me', {prompt_cache_key: 'cache-session'});
	const first = completed(await streamEvents(await postResponses(upstream, 'a', body)));
	assert.ok(first);
	assert.equal(first.usage.input_tokens_details.cached_tokens, 0);
	assert.equal(first.usage.output_tokens_details.reasoning_tokens, 16);
	assert.equal(first.usage.total_tokens, first.usage.input_tokens + first.usage.output_tokens);
	const second = completed(await streamEvents(await postResponses(upstream, 'a', body)));
	assert.equal(second?.usage.input_tokens_details.cached_tokens, first.usage.input_tokens);
	const other = completed(await streamEvents(await postResponses(upstream, 'b', body)));
	assert.equal(other?.usage.input_tokens_details.cached_tokens, 0);
});

test('the rate-limit headers describe both windows and the plan', async () => {
	const response = await postResponses(upstream, 'b', codexBody('headers'));
	await response.text();
	assert.equal(response.headers.get('x-codex-primary-window-minutes'), '300');
	assert.equal(response.headers.get('x-codex-secondary-window-minutes'), '10080');
	assert.equal(response.headers.get('x-codex-plan-type'), 'pro');
	assert.equal(upstream.issuerOf(response.headers.get('x-codex-turn-state') ?? ''), 'b');
	assert.ok(Number(response.headers.get('x-codex-primary-reset-at')) > Date.now() / 1000);
	assert.ok(Number.isFinite(Number(response.headers.get('x-codex-primary-used-percent'))));
});

test('deltaCount sets the number of text deltas (the benchmark uses about 300)', async () => {
	upstream.settings.deltaCount = 300;
	try {
		const events = await streamEvents(await postResponses(upstream, 'a', codexBody('long one')));
		assert.equal(events.filter((e) => e.event === 'response.output_text.delta').length, 300);
		assert.ok(deltaText(events).startsWith('Hello from a. You said: long one'));
	} finally {
		upstream.settings.deltaCount = undefined;
	}
});

test('encrypted reasoning is bound to the account that issued it', async () => {
	const events = await streamEvents(await postResponses(upstream, 'a', codexBody('first turn')));
	const reasoning = completed(events)?.output.find((item) => item.type === 'reasoning');
	assert.equal(typeof reasoning?.encrypted_content, 'string');
	assert.equal(upstream.issuerOf(reasoning?.encrypted_content as string), 'a');
	const next = codexBody('second turn');
	(next.input as unknown[]).splice(2, 0, reasoning);
	const same = await postResponses(upstream, 'a', next);
	assert.equal(same.status, 200);
	await same.text();
	const other = await postResponses(upstream, 'b', next);
	assert.equal(other.status, 400);
	const {error} = (await other.json()) as {error: Record<string, string>};
	assert.equal(error.type, 'invalid_request_error');
	assert.equal(error.code, 'invalid_encrypted_content');
	assert.match(error.message ?? '', /could not be verified/);
});

test('an input ending in compaction_trigger gets exactly one compaction item, bound to the account', async () => {
	const body = codexBody('compact please');
	(body.input as unknown[]).push({type: 'compaction_trigger'});
	const output = completed(await streamEvents(await postResponses(upstream, 'b', body)))?.output ?? [];
	assert.equal(output.length, 1);
	assert.equal(output[0]?.type, 'compaction');
	assert.equal(upstream.issuerOf(output[0]?.encrypted_content as string), 'b');
});

test('a tool the user asks for is called with arguments streamed in pieces, and its output is answered', async () => {
	const tools = [{type: 'function', name: 'get_weather', parameters: {type: 'object', properties: {}}}];
	const events = await streamEvents(
		await postResponses(upstream, 'a', codexBody('please call get_weather {"city":"Paris"}', {tools})),
	);
	const pieces = events.filter((e) => e.event === 'response.function_call_arguments.delta');
	assert.ok(pieces.length > 1);
	assert.equal(pieces.map((e) => e.data.delta).join(''), '{"city":"Paris"}');
	const call = completed(events)?.output.find((item) => item.type === 'function_call');
	assert.equal(call?.name, 'get_weather');
	assert.equal(call?.arguments, '{"city":"Paris"}');

	const followUp = codexBody('please call get_weather {"city":"Paris"}', {tools});
	(followUp.input as unknown[]).push(call, {
		type: 'function_call_output',
		call_id: call?.call_id,
		output: 'sunny, 21C',
	});
	const answer = await streamEvents(await postResponses(upstream, 'a', followUp));
	assert.match(deltaText(answer), /sunny, 21C/);
	assert.equal(
		completed(answer)?.output.some((item) => item.type === 'function_call'),
		false,
	);
});

test('requests without a valid token or with the wrong account header get 401', async () => {
	const noAuth = await fetch(`${upstream.backendUrl}/codex/responses`, {
		method: 'POST',
		body: JSON.stringify(codexBody('x')),
	});
	assert.equal(noAuth.status, 401);
	const wrongAccount = await postResponses(upstream, 'a', codexBody('x'), {
		'chatgpt-account-id': upstream.accounts.get('b').accountId,
	});
	assert.equal(wrongAccount.status, 401);
	const bogus = await postResponses(upstream, 'a', codexBody('x'), {authorization: 'Bearer nope'});
	assert.equal(bogus.status, 401);
});

test('what the real backend refuses is refused (stream false, temperature)', async () => {
	assert.equal((await postResponses(upstream, 'a', codexBody('x', {stream: false}))).status, 400);
	const response = await postResponses(upstream, 'a', codexBody('x', {temperature: 0.2}));
	assert.equal(response.status, 400);
	assert.deepEqual(await response.json(), {detail: 'Unsupported parameter: temperature'});
	assert.equal((await postResponses(upstream, 'a', '{not json')).status, 400);
});

test('/responses/compact answers {output} with one compaction item', async () => {
	const response = await fetch(`${upstream.backendUrl}/codex/responses/compact`, {
		method: 'POST',
		headers: {'content-type': 'application/json', ...authHeaders(upstream, 'a')},
		body: JSON.stringify({model: 'gpt-5.5', input: (codexBody('old') as {input: unknown}).input}),
	});
	assert.equal(response.status, 200);
	const {output} = (await response.json()) as {output: Array<{type: string}>};
	assert.equal(output.filter((item) => item.type === 'compaction').length, 1);
});

test('the logged request names the account and status', async () => {
	upstream.clearLog();
	await (await postResponses(upstream, 'b', codexBody('log me'))).text();
	const [entry] = upstream.log;
	assert.equal(entry?.path, '/backend-api/codex/responses');
	assert.equal(entry?.account, 'b');
	assert.equal(entry?.status, 200);
});

test('rateLimitsEvent opens the stream with a codex.rate_limits event', async () => {
	upstream.settings.rateLimitsEvent = true;
	try {
		const events = await streamEvents(await postResponses(upstream, 'b', codexBody('limits')));
		assert.deepEqual(
			events.slice(0, 2).map((e) => e.event),
			['codex.rate_limits', 'response.created'],
		);
		const limits = events[0]?.data as {
			plan_type: string;
			rate_limits: {primary: {window_minutes: number}; secondary: {window_minutes: number}};
		};
		assert.equal(limits.plan_type, 'pro');
		assert.equal(limits.rate_limits.primary.window_minutes, 300);
		assert.equal(limits.rate_limits.secondary.window_minutes, 10_080);
	} finally {
		upstream.settings.rateLimitsEvent = false;
	}
});
