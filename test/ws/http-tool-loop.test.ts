import assert from 'node:assert/strict';
import test from 'node:test';
import {sseEvents} from '../proxy/harness.ts';
import {type PoolHarness, startPoolHarness, upstreamPosts} from './pool-harness.ts';

// An HTTP client's tool loop (full input every request, as Codex without WebSocket sends it) through two pools
// side by side, request by request: one whose HTTP clients ride the upstream WebSocket, one over upstream HTTP.

const ROUNDS = 9;
/** About what Codex sends besides the conversation: instructions and a tool in every request. */
const INSTRUCTIONS = `You are a tool loop. ${'Follow the rules. '.repeat(100)}`;
const TOOLS = [
	{
		type: 'function',
		name: 'exec_command',
		description: `Runs a command. ${'It runs in a sandbox. '.repeat(20)}`,
		parameters: {type: 'object', properties: {cmd: {type: 'string'}}, required: ['cmd']},
	},
];

type Item = Record<string, unknown>;

/** One client's tool loop: `step` sends the next request with the whole conversation; false once it answered. */
function toolLoop(url: string, session: string) {
	const input: Item[] = [
		{
			type: 'message',
			role: 'user',
			content: [{type: 'input_text', text: `run the loop tool-rounds:${ROUNDS}`}],
		},
	];
	let answer = '';
	return {
		answer: () => answer,
		async step(): Promise<boolean> {
			const response = await fetch(`${url}/backend-api/codex/responses`, {
				method: 'POST',
				headers: {'content-type': 'application/json', 'session-id': session},
				body: JSON.stringify({
					model: 'gpt-5.5',
					instructions: INSTRUCTIONS,
					tools: TOOLS,
					tool_choice: 'auto',
					parallel_tool_calls: false,
					reasoning: {effort: 'medium'},
					store: false,
					stream: true,
					include: ['reasoning.encrypted_content'],
					prompt_cache_key: session,
					input,
				}),
			});
			assert.equal(response.status, 200);
			const events = sseEvents(await response.text()) as Item[];
			assert.equal(events.at(-1)?.type, 'response.completed');
			const output = events
				.filter((event) => event.type === 'response.output_item.done')
				.map((event) => event.item as Item);
			input.push(...output);
			const call = output.find((item) => item.type === 'function_call');
			if (call === undefined) {
				answer = JSON.stringify(output);
				return false;
			}

			// A kilobyte of tool output, as a command's output would be.
			const said = JSON.parse(String(call.arguments)) as {cmd: string};
			input.push({
				type: 'function_call_output',
				call_id: call.call_id,
				output: `${said.cmd.replace('echo ', '')}\n${'output line\n'.repeat(85)}`,
			});
			return true;
		},
	};
}

test('a 10-request HTTP tool loop rides one upstream WebSocket: the full input once, then only the new item', async (t) => {
	const pools: Record<'socket' | 'http', PoolHarness> = {
		socket: await startPoolHarness(['a'], {upstreamWebSocket: true}),
		http: await startPoolHarness(['a'], {upstreamWebSocket: false}),
	};
	t.after(() => Promise.all([pools.socket.close(), pools.http.close()]));
	const loops = {socket: toolLoop(pools.socket.url, 'loop-1'), http: toolLoop(pools.http.url, 'loop-1')};
	let requests = 0;
	for (;;) {
		requests++;
		const [socketGoesOn, httpGoesOn] = [await loops.socket.step(), await loops.http.step()];
		assert.equal(socketGoesOn, httpGoesOn);
		if (!socketGoesOn) {
			break;
		}
	}

	assert.equal(requests, ROUNDS + 1);
	assert.match(loops.socket.answer(), new RegExp(`tool-round-${ROUNDS}-of-${ROUNDS}`));
	assert.equal(
		loops.socket.answer().replace(/"(id|call_id|encrypted_content)":"[^"]*"/g, ''),
		loops.http.answer().replace(/"(id|call_id|encrypted_content)":"[^"]*"/g, ''),
	);

	// Over the socket: one connection, no POST, the first request whole, then each only its tool output.
	const connections = pools.socket.upstream.websockets.connections();
	assert.equal(connections.length, 1);
	assert.equal(upstreamPosts(pools.socket.upstream), 0);
	const frames = connections[0]!.requests;
	assert.deepEqual(
		frames.map((frame) => `${frame.items}/${frame.fullItems}${frame.previousResponseId ? ' +prev' : ''}`),
		Array.from({length: ROUNDS + 1}, (_, index) => (index === 0 ? '1/1' : `1/${1 + 3 * index} +prev`)),
	);
	// Over HTTP: the whole conversation every time.
	const posts = pools.http.upstream.log.filter(
		(entry) => entry.method === 'POST' && entry.path === '/backend-api/codex/responses',
	);
	assert.equal(posts.length, ROUNDS + 1);

	const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
	const socketBytes = frames.map((frame) => frame.bytes);
	const httpBytes = posts.map((entry) => entry.bodyBytes ?? 0);
	const mean = (values: readonly number[]) => values.reduce((a, b) => a + b, 0) / values.length;
	const lines = [
		`upstream bytes per request, ${ROUNDS + 1}-request HTTP tool loop (request: riding the upstream WebSocket / upstream HTTP)`,
		...socketBytes.map(
			(bytes, index) =>
				`  ${index + 1}: ${kb(bytes)} / ${kb(httpBytes[index]!)} (${(bytes / httpBytes[index]!).toFixed(3)}x)`,
		),
		`  mean: ${kb(mean(socketBytes))} / ${kb(mean(httpBytes))} (${(mean(socketBytes) / mean(httpBytes)).toFixed(3)}x); upstream WebSocket handshakes: ${connections.length}`,
	];
	for (const line of lines) {
		t.diagnostic(line);
	}

	// After the first request, each frame carries one tool output instead of the whole conversation.
	for (let index = 1; index < socketBytes.length; index++) {
		assert.ok(socketBytes[index]! < httpBytes[index]!, lines.join('\n'));
	}

	assert.ok(socketBytes.at(-1)! < socketBytes[1]! * 1.2, `the frames do not grow:\n${lines.join('\n')}`);
});
