import {parseSseText} from '../../source/core/sse/parse.ts';

/**
How one answer the proxy gave a client ended, as a client would judge it:
- `completed`: a whole answer (an SSE stream whose last event is `response.completed`, a chat stream ending
  in `[DONE]` without an error chunk, or a JSON body of the expected shape);
- `error`: a clear failure (a status ≥ 400 with a JSON `{error: {message}}` body, or a stream whose last
  event says it failed);
- `broken`: anything else (a stream that just stops, a body that is not what it claims, two answers in one);
- `aborted`: the client itself went away mid-answer (the load does so on purpose, to check nothing leaks).
*/
export type OutcomeKind = 'completed' | 'error' | 'broken' | 'aborted';

export type Outcome = {
	readonly kind: OutcomeKind;
	/** A short label for counting: `completed`, `429 usage_limit_reached`, `stream response.failed`, ... */
	readonly label: string;
	/** Why it is broken, when it is. */
	readonly detail?: string;
};

/** What the client asked for, which decides what a whole answer looks like. */
export type AnswerShape = 'responses-sse' | 'chat-sse' | 'chat-json' | 'json';

/** The `data:` payloads of an SSE body, in order (comments and `event:` lines dropped). */
export function sseData(text: string): string[] {
	return parseSseText(text).map((message) => message.data);
}

function parseObject(text: string): Record<string, unknown> | undefined {
	try {
		const value: unknown = JSON.parse(text);
		return typeof value === 'object' && value !== null && !Array.isArray(value)
			? (value as Record<string, unknown>)
			: undefined;
	} catch {
		return undefined;
	}
}

/** The `{error: {message}}` of a JSON body, when it has one that says something. */
export function jsonError(text: string): {type: string; message: string} | undefined {
	const error = parseObject(text)?.error as Record<string, unknown> | undefined;
	if (typeof error !== 'object' || error === null) {
		return undefined;
	}

	const message = error.message;
	if (typeof message !== 'string' || message.trim() === '') {
		return undefined;
	}

	const type = typeof error.type === 'string' ? error.type : typeof error.code === 'string' ? error.code : '';
	return {type, message};
}

const broken = (label: string, detail: string): Outcome => ({kind: 'broken', label, detail});

function responsesStream(text: string): Outcome {
	const events = sseData(text)
		.map(parseObject)
		.filter((event): event is Record<string, unknown> => event !== undefined);
	const types = events.map((event) => String(event.type));
	const created = types.filter((type) => type === 'response.created').length;
	const terminal = types.filter((type) =>
		['response.completed', 'response.failed', 'response.incomplete', 'error'].includes(type),
	);
	if (created > 1 || terminal.length > 1) {
		return broken('answered twice', `${created} response.created, terminal events: ${terminal.join(', ')}`);
	}

	const last = types.at(-1);
	if (last === 'response.completed') {
		return {kind: 'completed', label: 'completed'};
	}

	if (last === 'response.failed' || last === 'response.incomplete' || last === 'error') {
		return {kind: 'error', label: `stream ${last}`};
	}

	return broken('stream ended without a terminal event', `last event: ${last ?? 'none'}`);
}

function chatStream(text: string): Outcome {
	const payloads = sseData(text);
	const done = payloads.filter((payload) => payload === '[DONE]').length;
	if (done > 1 || (done === 1 && payloads.at(-1) !== '[DONE]')) {
		return broken('answered twice', `${done} [DONE], last payload: ${payloads.at(-1)?.slice(0, 80)}`);
	}

	const chunks = payloads.filter((payload) => payload !== '[DONE]').map(parseObject);
	if (chunks.some((chunk) => chunk === undefined)) {
		return broken('chat stream with a non-JSON chunk', 'a data line is not JSON');
	}

	const errors = chunks.filter((chunk) => chunk?.error !== undefined);
	if (errors.length > 0) {
		return errors.length === 1 && chunks.at(-1)?.error !== undefined
			? {kind: 'error', label: 'stream error chunk'}
			: broken('chat stream error not last', `${errors.length} error chunks`);
	}

	if (done === 0) {
		return broken('chat stream ended without [DONE]', `${chunks.length} chunks`);
	}

	const finished = chunks.some((chunk) =>
		((chunk?.choices as {finish_reason?: unknown}[] | undefined) ?? []).some(
			(choice) => typeof choice.finish_reason === 'string',
		),
	);
	return finished
		? {kind: 'completed', label: 'completed'}
		: broken('chat stream without finish_reason', `${chunks.length} chunks`);
}

/** Judges one answer: its status, content type and whole body. */
export function classifyAnswer(
	shape: AnswerShape,
	status: number,
	contentType: string,
	text: string,
): Outcome {
	if (status >= 400) {
		const error = jsonError(text);
		return error === undefined
			? broken(`${status} without a JSON error`, text.slice(0, 120))
			: {kind: 'error', label: `${status} ${error.type}`.trim()};
	}

	if (status < 200 || status >= 300) {
		return broken(`status ${status}`, text.slice(0, 120));
	}

	const sse = contentType.includes('text/event-stream');
	if (shape === 'responses-sse') {
		return sse ? responsesStream(text) : broken('not an event stream', contentType);
	}

	if (shape === 'chat-sse') {
		return sse ? chatStream(text) : broken('not an event stream', contentType);
	}

	const body = parseObject(text);
	if (body === undefined) {
		return broken('body is not a JSON object', text.slice(0, 120));
	}

	if (shape === 'chat-json') {
		const choices = body.choices as {message?: {content?: unknown}}[] | undefined;
		return Array.isArray(choices) && choices.length > 0 && body.object === 'chat.completion'
			? {kind: 'completed', label: 'completed'}
			: broken('not a chat.completion', text.slice(0, 120));
	}

	return {kind: 'completed', label: 'completed'};
}
