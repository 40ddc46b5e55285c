import type {ResponseUsage, SimulatedUpstream} from '../../source/core/simulated-backend/index.ts';
import {type BackendEvent, backendEvents} from '../helpers/sse.ts';

/** A Codex-like responses body: developer message, user message, tools, the fields Codex sends. */
export function codexBody(text: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
	return {
		model: 'gpt-5.5',
		stream: true,
		store: false,
		input: [
			{type: 'message', role: 'developer', content: [{type: 'input_text', text: 'You are Codex.'}]},
			{type: 'message', role: 'user', content: [{type: 'input_text', text}]},
		],
		tool_choice: 'auto',
		parallel_tool_calls: true,
		include: ['reasoning.encrypted_content'],
		prompt_cache_key: 'session-1',
		...extra,
	};
}

/** Headers of a backend request made as `name`. */
export function authHeaders(upstream: SimulatedUpstream, name: string): Record<string, string> {
	const account = upstream.accounts.get(name);
	return {authorization: `Bearer ${account.tokens.accessToken}`, 'chatgpt-account-id': account.accountId};
}

export function postResponses(
	upstream: SimulatedUpstream,
	name: string,
	body: unknown,
	headers: Record<string, string> = {},
): Promise<Response> {
	return fetch(`${upstream.backendUrl}/codex/responses`, {
		method: 'POST',
		headers: {
			'content-type': 'application/json',
			accept: 'text/event-stream',
			...authHeaders(upstream, name),
			...headers,
		},
		body: typeof body === 'string' || body instanceof Uint8Array ? body : JSON.stringify(body),
	});
}

export type SseEvent = BackendEvent;

/** Splits an SSE body into events; throws on a frame that is not `event: t\ndata: json`. */
export const parseSse = backendEvents;

export async function streamEvents(response: Response): Promise<SseEvent[]> {
	return parseSse(await response.text());
}

/** The text of all `response.output_text.delta` events. */
export const deltaText = (events: readonly SseEvent[]) =>
	events
		.filter((e) => e.event === 'response.output_text.delta')
		.map((e) => e.data.delta)
		.join('');

export function completed(events: readonly SseEvent[]) {
	const event = events.find((e) => e.event === 'response.completed');
	return event?.data.response as
		| {id: string; output: Array<Record<string, unknown>>; usage: ResponseUsage}
		| undefined;
}
