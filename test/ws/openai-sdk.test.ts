import assert from 'node:assert/strict';
import test from 'node:test';
import OpenAI from 'openai';
import {ResponsesWS} from 'openai/resources/responses/ws';
import {defaultSettings} from '../../source/core/store/defaults.ts';
import {openAiWebSocketRoute} from '../../source/core/ws/openai-route.ts';
import {normalAnswer} from './fake-upstream.ts';
import {startRelayHarness} from './relay-harness.ts';

const goodKey = 'cxp_test_good_key';

async function startWithV1(requireKey: boolean) {
	const settings = () => ({...defaultSettings, requireKey});
	const h = await startRelayHarness(['a', 'b'], {
		keys: {verify: (key) => (key === goodKey ? ({id: 'k1'} as never) : undefined)},
		settings,
		behaviour: {
			// As the ChatGPT backend: a response.metadata (its turn state) after response.created.
			answer: (request, id) => {
				const frames = normalAnswer(request.accountId, id, request.body.generate === false);
				const metadata = {type: 'response.metadata', headers: {'x-codex-turn-state': `ts-${id}`}};
				frames.splice(2, 0, JSON.stringify(metadata));
				return frames;
			},
		},
	});
	h.proxy.webSockets.mount(
		openAiWebSocketRoute({
			engine: h.proxy.engine,
			pool: h.proxy.pool,
			settings,
			clock: {now: () => Date.now(), speed: 1} as never,
		}),
	);
	const baseURL = `${h.wsUrl.replace('ws:', 'http:').replace('/backend-api/codex/responses', '')}/v1`;
	return {h, baseURL};
}

/** Sends one response.create and resolves with the events up to response.completed (or the error). */
function turn(
	socket: ResponsesWS,
	body: Record<string, unknown>,
): Promise<{type: string; [key: string]: unknown}[]> {
	const events: {type: string; [key: string]: unknown}[] = [];
	return new Promise((resolve) => {
		const onEvent = (event: {type: string}) => {
			events.push(event);
			if (event.type === 'response.completed' || event.type === 'error') {
				socket.off('event', onEvent as never);
				resolve(events);
			}
		};

		socket.on('event', onEvent as never);
		socket.send({type: 'response.create', ...body} as never);
	});
}

test("the openai SDK's ResponsesWS through /v1/responses, chaining with previous_response_id", async (t) => {
	const {h, baseURL} = await startWithV1(true);
	t.after(() => h.close());
	const client = new OpenAI({apiKey: goodKey, baseURL});
	const socket = new ResponsesWS(client);
	socket.on('error', () => {});
	t.after(() => socket.close());
	const first = await turn(socket, {model: 'gpt-5.5', input: 'hello'});
	assert.equal(first.at(-1)?.type, 'response.completed');
	// Backend-only frames stay in the pool, as over SSE (the SDK's stream helper refuses response.metadata).
	assert.deepEqual(
		first.filter((event) => event.type.startsWith('codex.') || event.type === 'response.metadata'),
		[],
	);
	const id = String((first.at(-1)?.response as {id?: string} | undefined)?.id);
	const second = await turn(socket, {
		model: 'gpt-5.5',
		previous_response_id: id,
		input: [{role: 'user', content: 'again'}],
	});
	assert.equal(second.at(-1)?.type, 'response.completed');
	// Upstream: one socket; the body normalised as on /v1 (instructions, store:false), the chain kept.
	const sent = h.upstream.received.at(-1)!;
	assert.equal(new Set(h.upstream.received.map((entry) => entry.connection)).size, 1);
	assert.equal(sent.body.previous_response_id, id);
	assert.equal(sent.body.store, false);
	assert.equal(typeof sent.body.instructions, 'string');
	assert.deepEqual(sent.body.input, [
		{type: 'message', role: 'user', content: [{type: 'input_text', text: 'again'}]},
	]);
	assert.notEqual(h.upstream.handshakes[0]?.headers.authorization, `Bearer ${goodKey}`);
	assert.equal(h.events.request.at(-1)?.path, '/v1/responses');
});

test('/v1/responses over WebSocket requires a pool key when keys are required', async (t) => {
	const {h, baseURL} = await startWithV1(true);
	t.after(() => h.close());
	const socket = new ResponsesWS(new OpenAI({apiKey: 'cxp_wrong', baseURL}));
	const errors: Error[] = [];
	socket.on('error', (error) => errors.push(error));
	await new Promise<void>((resolve) => {
		socket.on('close', () => resolve());
	});
	assert.match(errors.map((error) => error.message).join(' '), /401/);
	assert.equal(h.upstream.handshakes.length, 0);
});
