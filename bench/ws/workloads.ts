import {randomUUID} from 'node:crypto';
import {Agent, request} from 'undici';
import {parseSseText} from '../../source/core/sse/parse.ts';
import {type Answer, type BenchSocket, openBenchSocket} from './client.ts';

type Item = Record<string, unknown>;

/** Where a bench session connects: the upstream itself, the pool, or the reference relay. */
export type Target = {
	readonly name: string;
	/** `http://…/backend-api/codex/responses` (the WebSocket URL is the same with ws:). */
	readonly url: string;
	/** Headers of session `index` (the upstream wants an account's token; the pool a session id). */
	readonly headers: (sessionId: string, index: number) => Record<string, string>;
};

export const LOOP_REQUESTS = 40;
/** Bytes of each tool output: 40 of them make the conversation about 200 KB. */
export const TOOL_OUTPUT_BYTES = 5000;

const user = (text: string): Item => ({type: 'message', role: 'user', content: [{type: 'input_text', text}]});

/** Codex's base instructions travel as the first developer message (about 3 KB here). */
export const INSTRUCTIONS: Item = {
	type: 'message',
	role: 'developer',
	content: [
		{
			type: 'input_text',
			text: `You are Codex, a coding agent. ${'Follow the repository conventions. '.repeat(90)}`,
		},
	],
};

/** Tools about the size of Codex's (≈20 KB): the shell tool the simulated model calls, and filler. */
const TOOLS = [
	{
		type: 'function',
		name: 'exec_command',
		description: 'Runs a command in a PTY, returning output or a session ID for ongoing interaction.',
		strict: false,
		parameters: {type: 'object', properties: {cmd: {type: 'string'}}, required: ['cmd']},
	},
	...Array.from({length: 12}, (_, index) => ({
		type: 'function',
		name: `tool_${index}`,
		description: `A tool of the benchmark. ${'It does one thing and reports what it did. '.repeat(36)}`,
		strict: false,
		parameters: {type: 'object', properties: {text: {type: 'string'}}, required: []},
	})),
];

/** The fields every request of a session carries unchanged, as Codex's do. */
export const sessionFields = (sessionId: string) => ({
	model: 'gpt-5.5',
	stream: true,
	store: false,
	tools: TOOLS,
	tool_choice: 'auto',
	parallel_tool_calls: false,
	reasoning: {effort: 'medium'},
	include: ['reasoning.encrypted_content'],
	prompt_cache_key: sessionId,
});

const toolOutput = (callId: unknown, round: number): Item => ({
	type: 'function_call_output',
	call_id: callId,
	output: `round ${round}: ${'x'.repeat(TOOL_OUTPUT_BYTES - 12)}`,
});

const loopPrompt = () => user(`work through the task tool-rounds:${LOOP_REQUESTS - 1}`);

/**
Codex-like tool loops over WebSocket, one per target, run in lock step: a warm-up on each, then LOOP_REQUESTS
rounds in which each target gets its next request in turn (only the new item: the prompt, then each tool
output, with the previous response's id), so the targets' samples are taken side by side on a machine whose
speed drifts. Answers each target's requests (not the warm-ups).
*/
export async function webSocketToolLoops(targets: readonly Target[], index: number): Promise<Answer[][]> {
	const loops = await Promise.all(
		targets.map(async (target) => {
			const sessionId = randomUUID();
			const socket = await openBenchSocket(
				target.url.replace(/^http/, 'ws'),
				target.headers(sessionId, index),
			);
			const fields = sessionFields(sessionId);
			const warm = await socket.request({...fields, generate: false, input: [INSTRUCTIONS]});
			return {
				target,
				socket,
				fields,
				previous: warm.responseId,
				input: [loopPrompt()],
				answers: [] as Answer[],
			};
		}),
	);
	for (let round = 1; round <= LOOP_REQUESTS; round++) {
		for (const loop of loops) {
			const answer = await loop.socket.request({
				...loop.fields,
				previous_response_id: loop.previous,
				input: loop.input,
			});
			if (answer.terminal !== 'response.completed') {
				throw new Error(`${loop.target.name}: request ${round} ended with ${answer.terminal}`);
			}

			loop.answers.push(answer);
			loop.previous = answer.responseId;
			const call = answer.output.find((item) => item.type === 'function_call');
			loop.input = call ? [toolOutput(call.call_id, round)] : [];
		}
	}

	await Promise.all(loops.map((loop) => loop.socket.close()));
	return loops.map((loop) => loop.answers);
}

const agent = new Agent({connections: 64, keepAliveTimeout: 30_000});

/** The same loop over HTTP: every request POSTs the whole conversation. Answers the time to first byte. */
export async function httpToolLoop(target: Target, index: number): Promise<number[]> {
	const sessionId = randomUUID();
	const fields = sessionFields(sessionId);
	const conversation: Item[] = [INSTRUCTIONS, loopPrompt()];
	const firstBytes: number[] = [];
	for (let round = 1; round <= LOOP_REQUESTS; round++) {
		const started = performance.now();
		const response = await request(target.url, {
			method: 'POST',
			dispatcher: agent,
			headers: {'content-type': 'application/json', ...target.headers(sessionId, index)},
			body: JSON.stringify({...fields, input: conversation}),
		});
		let text = '';
		for await (const chunk of response.body) {
			if (text === '') {
				firstBytes.push(performance.now() - started);
			}

			text += String(chunk);
		}

		if (response.statusCode !== 200) {
			throw new Error(
				`${target.name}: HTTP request ${round} answered ${response.statusCode}: ${text.slice(0, 200)}`,
			);
		}

		const output = parseSseText(text)
			.map((message) => JSON.parse(message.data) as {type?: string; item?: Item})
			.filter((event) => event.type === 'response.output_item.done')
			.map((event) => event.item as Item);
		conversation.push(...output);
		const call = output.find((item) => item.type === 'function_call');
		if (call) {
			conversation.push(toolOutput(call.call_id, round));
		}
	}

	return firstBytes;
}

/**
SESSIONS concurrent sockets, each a warm-up then `requests` short turns chained by previous_response_id;
answers the responses per second over the whole phase.
*/
export async function concurrentSessions(
	target: Target,
	sessions: number,
	requests: number,
): Promise<number> {
	const started = performance.now();
	await Promise.all(
		Array.from({length: sessions}, async (_, index) => {
			const sessionId = randomUUID();
			const socket = await openBenchSocket(
				target.url.replace(/^http/, 'ws'),
				target.headers(sessionId, index),
			);
			const fields = {...sessionFields(sessionId), tools: []};
			let previous = (await socket.request({...fields, generate: false, input: [INSTRUCTIONS]})).responseId;
			for (let turn = 0; turn < requests; turn++) {
				const answer = await socket.request({
					...fields,
					previous_response_id: previous,
					input: [user('say hi')],
				});
				if (answer.terminal !== 'response.completed') {
					throw new Error(`${target.name}: a concurrent request ended with ${answer.terminal}`);
				}

				previous = answer.responseId;
			}

			await socket.close();
		}),
	);
	return (sessions * requests) / ((performance.now() - started) / 1000);
}

/** Opens `count` sessions that each hold a conversation of about `conversationBytes` and stay open. */
export async function openHeldSessions(target: Target, count: number, conversationBytes: number) {
	const sockets: BenchSocket[] = [];
	for (let index = 0; index < count; index++) {
		const sessionId = randomUUID();
		const socket = await openBenchSocket(target.url.replace(/^http/, 'ws'), target.headers(sessionId, index));
		const fields = sessionFields(sessionId);
		const warm = await socket.request({...fields, generate: false, input: [INSTRUCTIONS]});
		const history = Array.from({length: Math.ceil(conversationBytes / TOOL_OUTPUT_BYTES)}, (_, round) =>
			toolOutput(`call_${round}`, round),
		);
		const answer = await socket.request({
			...fields,
			previous_response_id: warm.responseId,
			input: [user('hold this'), ...history],
		});
		if (answer.terminal !== 'response.completed') {
			throw new Error(`${target.name}: a held session's request ended with ${answer.terminal}`);
		}

		sockets.push(socket);
	}

	return {close: () => Promise.all(sockets.map((socket) => socket.close()))};
}
