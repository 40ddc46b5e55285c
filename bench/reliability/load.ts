import {Agent, request} from 'undici';
import type {Random} from '../../source/core/random.ts';
import {type AnswerShape, classifyAnswer, type Outcome, sseData} from './outcome.ts';

/** One client request of the load and how it ended. */
export type LoadResult = {
	/** 0, 1, 2... also sent as the `x-soak-request` header, so the upstream log can be matched to it. */
	readonly id: number;
	readonly session: string;
	readonly shape: AnswerShape;
	readonly status: number;
	readonly outcome: Outcome;
	readonly ms: number;
};

export type LoadOptions = {
	readonly url: string;
	readonly total: number;
	readonly concurrency: number;
	readonly random: Random;
	/** Extra headers on every request (a pool key). */
	readonly headers?: Record<string, string>;
	/** Called after each request, in completion order. */
	readonly onResult?: (result: LoadResult) => void;
	/** Share of requests abandoned by the client once the first chunk of the answer arrived (default 0). */
	readonly abortRate?: number;
	/** A request that has not ended after this many real ms counts as broken (default 30 s). */
	readonly timeoutMs?: number;
};

type Conversation = {
	readonly id: string;
	readonly shape: AnswerShape;
	turnsLeft: number;
	/** Codex resends the previous turn's output (encrypted reasoning included) with the next input. */
	carried: unknown[];
};

export const SOAK_REQUEST_HEADER = 'x-soak-request';

/** What the load sends: mostly Codex turns, the rest OpenAI chat completions, streamed or not. */
function newConversation(random: Random, n: number): Conversation {
	const roll = random();
	const shape: AnswerShape = roll < 0.7 ? 'responses-sse' : roll < 0.85 ? 'chat-sse' : 'chat-json';
	return {id: `soak-${n}`, shape, turnsLeft: 1 + Math.floor(random() * 8), carried: []};
}

function requestFor(conversation: Conversation, text: string): {path: string; body: unknown} {
	if (conversation.shape === 'responses-sse') {
		return {
			path: '/backend-api/codex/responses',
			body: {
				model: 'gpt-5.5',
				instructions: 'You are a soak test.',
				stream: true,
				store: false,
				include: ['reasoning.encrypted_content'],
				prompt_cache_key: conversation.id,
				input: [
					...conversation.carried,
					{type: 'message', role: 'user', content: [{type: 'input_text', text}]},
				],
			},
		};
	}

	return {
		path: '/v1/chat/completions',
		body: {
			model: 'gpt-5.5',
			stream: conversation.shape === 'chat-sse',
			messages: [{role: 'user', content: text}],
		},
	};
}

/** The output items of a completed Codex stream, to carry into the next turn. */
function outputOf(text: string): unknown[] {
	for (const payload of sseData(text).reverse()) {
		if (payload.includes('"response.completed"')) {
			try {
				const event = JSON.parse(payload) as {response?: {output?: unknown[]}};
				return (event.response?.output ?? []).filter(
					(item) => (item as {type?: string}).type === 'reasoning',
				);
			} catch {
				return [];
			}
		}
	}

	return [];
}

/**
Sends `total` requests, `concurrency` at a time. Each worker runs conversations one after another (turns of
one conversation never overlap, as with a real client), so a session's requests can be counted in the proxy's
request log. Resolves with every result, in the order the requests were sent.
*/
export async function runLoad(options: LoadOptions): Promise<LoadResult[]> {
	const {random, total} = options;
	const timeoutMs = options.timeoutMs ?? 30_000;
	const agent = new Agent({
		connections: options.concurrency + 4,
		headersTimeout: timeoutMs,
		bodyTimeout: timeoutMs,
	});
	const results: LoadResult[] = [];
	let next = 0;
	let conversations = 0;

	const one = async (conversation: Conversation, id: number): Promise<LoadResult> => {
		const {path, body} = requestFor(conversation, `request ${id}: say something short`);
		const started = performance.now();
		const abandon = random() < (options.abortRate ?? 0);
		const controller = new AbortController();
		let status = 0;
		let outcome: Outcome;
		try {
			const answer = await request(options.url + path, {
				method: 'POST',
				dispatcher: agent,
				headers: {
					'content-type': 'application/json',
					'session-id': conversation.id,
					[SOAK_REQUEST_HEADER]: String(id),
					...options.headers,
				},
				body: JSON.stringify(body),
				signal: AbortSignal.any([AbortSignal.timeout(timeoutMs), controller.signal]),
			});
			status = answer.statusCode;
			if (abandon && status === 200) {
				for await (const _chunk of answer.body) {
					controller.abort();
					break;
				}

				return {
					id,
					session: conversation.id,
					shape: conversation.shape,
					status,
					outcome: {kind: 'aborted', label: 'abandoned by the client'},
					ms: performance.now() - started,
				};
			}

			const text = await answer.body.text();
			const contentType = String(answer.headers['content-type'] ?? '');
			outcome = classifyAnswer(conversation.shape, status, contentType, text);
			if (outcome.kind === 'completed' && conversation.shape === 'responses-sse') {
				conversation.carried = outputOf(text);
			}
		} catch (error) {
			outcome = {
				kind: 'broken',
				label: 'transport error',
				detail: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
			};
		}

		return {
			id,
			session: conversation.id,
			shape: conversation.shape,
			status,
			outcome,
			ms: performance.now() - started,
		};
	};

	const worker = async () => {
		let conversation = newConversation(random, conversations++);
		while (next < total) {
			const id = next++;
			if (conversation.turnsLeft <= 0) {
				conversation = newConversation(random, conversations++);
			}

			conversation.turnsLeft--;
			const result = await one(conversation, id);
			results[id] = result;
			options.onResult?.(result);
		}
	};

	try {
		await Promise.all(Array.from({length: options.concurrency}, worker));
	} finally {
		await agent.close();
	}

	return results;
}
