import assert from 'node:assert/strict';
import {test} from 'node:test';
import {startSimulatedUpstream} from '../../source/core/simulated-backend/index.ts';
import {nextToolRound, requestedRounds} from '../../source/core/simulated-backend/tool-rounds.ts';
import {codexBody, completed, postResponses, streamEvents} from './helpers.ts';
import {completedResponse, openWs} from './ws-client.ts';

const EXEC_COMMAND = {type: 'function', name: 'exec_command', parameters: {type: 'object'}};

test('tool-rounds:N asks for N shell calls, in the argument shape of the shell tool offered', () => {
	assert.equal(requestedRounds('please tool-rounds:3 now'), 3);
	assert.equal(requestedRounds('no rounds'), undefined);
	const user = {type: 'message', role: 'user', content: 'tool-rounds:2'};
	const output = {type: 'function_call_output', call_id: 'c', output: 'ok'};
	assert.deepEqual(nextToolRound([user], 'tool-rounds:2', new Set(['exec_command'])), {
		name: 'exec_command',
		args: '{"cmd":"echo tool-round-1-of-2"}',
	});
	assert.deepEqual(nextToolRound([user, output], 'tool-rounds:2', new Set(['shell'])), {
		name: 'shell',
		args: '{"command":["bash","-lc","echo tool-round-2-of-2"]}',
	});
	assert.equal(nextToolRound([user, output, output], 'tool-rounds:2', new Set(['exec_command'])), undefined);
	assert.equal(
		nextToolRound([user], 'tool-rounds:2', new Set(['lookup'])),
		undefined,
		'no shell tool offered',
	);
	// Outputs before the user's message belong to an earlier request.
	assert.equal(
		nextToolRound([output, output, user], 'tool-rounds:2', new Set(['shell_command']))?.name,
		'shell_command',
	);
});

test('over HTTP, a tool loop of 3 rounds takes 4 requests, each resending the whole conversation', async (t) => {
	const upstream = await startSimulatedUpstream({accounts: [{name: 'a'}]});
	t.after(() => upstream.close());
	const input: unknown[] = [...(codexBody('go tool-rounds:3').input as unknown[])];
	const calls: string[] = [];
	for (let request = 1; ; request++) {
		const response = completed(
			await streamEvents(await postResponses(upstream, 'a', codexBody('', {input, tools: [EXEC_COMMAND]}))),
		);
		assert.ok(response);
		input.push(...response.output);
		const call = response.output.find((item) => item.type === 'function_call');
		if (!call) {
			assert.equal(request, 4);
			const message = response.output.find((item) => item.type === 'message') as {
				content: Array<{text: string}>;
			};
			assert.match(message.content[0]?.text ?? '', /^Hello from a\. The tool said: tool-round-3-of-3/);
			break;
		}

		calls.push(String(call.arguments));
		input.push({type: 'function_call_output', call_id: call.call_id, output: `tool-round-${request}-of-3`});
	}

	assert.deepEqual(
		calls,
		[1, 2, 3].map((n) => `{"cmd":"echo tool-round-${n}-of-3"}`),
	);
	const items = upstream.log
		.filter((entry) => entry.method === 'POST')
		.map((entry) => (entry.body as {input: unknown[]}).input.length);
	assert.deepEqual(items, [2, 5, 8, 11]);
});

test('over WebSocket, the same loop sends one new item per request after the first', async (t) => {
	const upstream = await startSimulatedUpstream({accounts: [{name: 'a'}]});
	t.after(() => upstream.close());
	const open = await openWs(upstream, 'a');
	assert.ok(open.ok);
	let previous: string | undefined;
	let input: unknown[] = codexBody('go tool-rounds:3').input as unknown[];
	for (let request = 1; request <= 4; request++) {
		const {events} = await open.client.request({
			...codexBody('', {input, tools: [EXEC_COMMAND]}),
			...(previous ? {previous_response_id: previous} : {}),
		});
		const response = completedResponse(events);
		assert.ok(response, JSON.stringify(events.at(-1)));
		previous = response.id;
		const call = response.output.find((item) => item.type === 'function_call');
		assert.equal(call === undefined, request === 4);
		input = call ? [{type: 'function_call_output', call_id: call.call_id, output: `round ${request}`}] : [];
	}

	const [connection] = upstream.websockets.connections();
	assert.deepEqual(
		connection?.requests.map(({items, fullItems}) => [items, fullItems]),
		[
			[2, 2],
			[1, 5],
			[1, 8],
			[1, 11],
		],
	);
	await open.client.close();
});
