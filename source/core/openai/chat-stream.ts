import type {ResponsesEvent} from '../sse/responses-events.ts';
import {chatId, chatUsage, finishReason} from './chat-response.ts';

/** One `data:` payload of a chat stream: a `chat.completion.chunk`, or an error that ends the stream. */
export type ChatStreamPayload = Record<string, unknown>;

type ToolCallState = {readonly index: number; streamed: string};

/**
Turns Responses events into `chat.completion.chunk` payloads as they arrive: the role first, text and refusal
deltas, each function call as a tool call (index, id, name, then its arguments in the pieces the upstream
sent; parallel calls keep their own index), one chunk with `finish_reason`, then the usage chunk when asked.
A failed or cut stream ends with `{error}`, which the OpenAI SDKs raise as an APIError.
*/
export function createChatStreamTranslator(options: {model: string; includeUsage: boolean; now: number}): {
	push: (event: ResponsesEvent) => ChatStreamPayload[];
	end: () => ChatStreamPayload[];
} {
	let id = chatId(undefined);
	let created = Math.floor(options.now / 1000);
	let model = options.model;
	let started = false;
	let finished = false;
	const calls = new Map<string, ToolCallState>();
	let callCount = 0;

	const chunk = (delta: Record<string, unknown>, finish: string | null = null): ChatStreamPayload => ({
		id,
		object: 'chat.completion.chunk',
		created,
		model,
		choices: [{index: 0, delta, logprobs: null, finish_reason: finish}],
		...(options.includeUsage ? {usage: null} : {}),
	});

	const begin = (out: ChatStreamPayload[]) => {
		if (!started) {
			started = true;
			out.push(chunk({role: 'assistant', content: ''}));
		}
	};

	const callKey = (event: ResponsesEvent, item?: Record<string, unknown>): string =>
		typeof item?.id === 'string'
			? item.id
			: typeof event.item_id === 'string'
				? event.item_id
				: `#${String(event.output_index)}`;

	const argumentsDelta = (state: ToolCallState, delta: string): ChatStreamPayload => {
		state.streamed += delta;
		return chunk({tool_calls: [{index: state.index, function: {arguments: delta}}]});
	};

	const openCall = (
		event: ResponsesEvent,
		item: Record<string, unknown>,
		out: ChatStreamPayload[],
	): ToolCallState => {
		const state: ToolCallState = {index: callCount++, streamed: ''};
		calls.set(callKey(event, item), state);
		// Deltas name their item by item_id, or only by output_index in some streams: remember both.
		calls.set(`#${String(event.output_index)}`, state);
		out.push(
			chunk({
				tool_calls: [
					{
						index: state.index,
						id: item.call_id,
						type: 'function',
						function: {name: item.name, arguments: ''},
					},
				],
			}),
		);
		return state;
	};

	const push = (event: ResponsesEvent): ChatStreamPayload[] => {
		const out: ChatStreamPayload[] = [];
		if (finished) {
			return out;
		}

		switch (event.type) {
			case 'response.created': {
				const response = (event.response ?? {}) as Record<string, unknown>;
				id = chatId(response.id);
				created = typeof response.created_at === 'number' ? response.created_at : created;
				model = typeof response.model === 'string' ? response.model : model;
				begin(out);
				break;
			}

			case 'response.output_text.delta': {
				begin(out);
				if (typeof event.delta === 'string' && event.delta !== '') {
					out.push(chunk({content: event.delta}));
				}

				break;
			}

			case 'response.refusal.delta': {
				begin(out);
				if (typeof event.delta === 'string') {
					out.push(chunk({refusal: event.delta}));
				}

				break;
			}

			case 'response.output_item.added': {
				const item = (event.item ?? {}) as Record<string, unknown>;
				if (item.type === 'function_call') {
					begin(out);
					const state = openCall(event, item, out);
					if (typeof item.arguments === 'string' && item.arguments !== '') {
						out.push(argumentsDelta(state, item.arguments));
					}
				}

				break;
			}

			case 'response.function_call_arguments.delta': {
				const state = calls.get(callKey(event)) ?? calls.get(`#${String(event.output_index)}`);
				if (state !== undefined && typeof event.delta === 'string' && event.delta !== '') {
					out.push(argumentsDelta(state, event.delta));
				}

				break;
			}

			case 'response.output_item.done': {
				const item = (event.item ?? {}) as Record<string, unknown>;
				if (item.type !== 'function_call') {
					break;
				}

				begin(out);
				const state = calls.get(callKey(event, item)) ?? openCall(event, item, out);
				const full = typeof item.arguments === 'string' ? item.arguments : '';
				// Send whatever the deltas did not: all of it when none came, the tail when they stopped short.
				if (full.length > state.streamed.length && full.startsWith(state.streamed)) {
					out.push(argumentsDelta(state, full.slice(state.streamed.length)));
				}

				break;
			}

			case 'response.completed':
			case 'response.incomplete': {
				begin(out);
				finished = true;
				const response = (event.response ?? {}) as Record<string, unknown>;
				out.push(chunk({}, finishReason(response, callCount > 0)));
				if (options.includeUsage) {
					out.push({
						id,
						object: 'chat.completion.chunk',
						created,
						model,
						choices: [],
						usage: chatUsage(response.usage) ?? null,
					});
				}

				break;
			}

			case 'response.failed': {
				finished = true;
				const error = ((event.response as {error?: Record<string, unknown>} | undefined)?.error ??
					{}) as Record<string, unknown>;
				out.push(streamError(error.message, error.code));
				break;
			}

			case 'error': {
				finished = true;
				out.push(streamError(event.message, event.code));
				break;
			}

			default:
		}

		return out;
	};

	return {
		push,
		end: () => {
			if (finished) {
				return [];
			}

			finished = true;
			return [
				streamError(
					'The upstream stream ended before the response was complete. Retry the request.',
					'stream_interrupted',
				),
			];
		},
	};
}

function streamError(message: unknown, code: unknown): ChatStreamPayload {
	return {
		error: {
			message: typeof message === 'string' && message !== '' ? message : 'The upstream response failed.',
			type: 'upstream_error',
			code: typeof code === 'string' ? code : 'response_failed',
			param: null,
		},
	};
}
