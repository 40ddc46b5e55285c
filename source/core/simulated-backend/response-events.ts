import {randomBytes} from 'node:crypto';
import {responsesEvent, sseEvent} from '../sse/frame.ts';

/** The usage object of `response.completed` (upstream-protocol.md §3). */
export type ResponseUsage = {
	input_tokens: number;
	input_tokens_details: {cached_tokens: number};
	output_tokens: number;
	output_tokens_details: {reasoning_tokens: number};
	total_tokens: number;
};

export const newId = (prefix: string) => `${prefix}_${randomBytes(12).toString('hex')}`;

/** What the model "says": any of a reasoning item, a compaction item, a message, a function call. */
export type ResponsePlan = {
	readonly model: string;
	readonly createdAt: number;
	readonly reasoning?: {encryptedContent: string};
	readonly compaction?: {encryptedContent: string};
	readonly message?: {pieces: readonly string[]};
	readonly functionCall?: {name: string; argPieces: readonly string[]};
};

/** The stream's frames, split where faults cut in: the first one, the body, the closing one. */
export type ResponseFrames = {
	readonly responseId: string;
	readonly model: string;
	readonly created: string;
	readonly body: string[];
	readonly completed: (usage: ResponseUsage) => string;
	/** `response.failed` with this error (`extra`: more fields of the error, e.g. a usage limit's resets_at). */
	readonly failed: (code: string, message: string, extra?: Record<string, unknown>) => string;
};

/** Builds the SSE events of one response, as the Responses API orders them. */
export function buildResponseFrames(plan: ResponsePlan): ResponseFrames {
	const responseId = newId('resp');
	let sequence = 0;
	const frame = (event: Record<string, unknown> & {type: string}) =>
		responsesEvent({...event, sequence_number: sequence++});
	const response = (status: string, extra: Record<string, unknown> = {}) => ({
		id: responseId,
		object: 'response',
		created_at: plan.createdAt,
		status,
		model: plan.model,
		output: [] as unknown[],
		usage: null,
		...extra,
	});
	// Numbered first, as it is sent first.
	const created = frame({type: 'response.created', response: response('in_progress')});
	const output: Record<string, unknown>[] = [];
	const body: string[] = [frame({type: 'response.in_progress', response: response('in_progress')})];
	const addItem = (item: Record<string, unknown>, stream: (index: number) => void, initial = {}) => {
		const index = output.length;
		const done = {...item, status: 'completed'};
		const added = {...item, ...initial, status: 'in_progress'};
		body.push(frame({type: 'response.output_item.added', output_index: index, item: added}));
		stream(index);
		body.push(frame({type: 'response.output_item.done', output_index: index, item: done}));
		output.push(done);
	};

	if (plan.reasoning) {
		const item = {
			id: newId('rs'),
			type: 'reasoning',
			summary: [],
			encrypted_content: plan.reasoning.encryptedContent,
		};
		addItem(item, () => {});
	}

	if (plan.compaction) {
		addItem(
			{id: newId('cmp'), type: 'compaction', encrypted_content: plan.compaction.encryptedContent},
			() => {},
		);
	}

	if (plan.message) {
		const id = newId('msg');
		const text = plan.message.pieces.join('');
		const part = {type: 'output_text', text: '', annotations: []};
		const at = {item_id: id, content_index: 0};
		addItem(
			{id, type: 'message', role: 'assistant', content: [{...part, text}]},
			(index) => {
				body.push(frame({type: 'response.content_part.added', ...at, output_index: index, part}));
				// The hot loop of a benchmark: one template instead of an object per event, same JSON.
				const head = `{"type":"response.output_text.delta","item_id":"${id}","content_index":0,"output_index":${index},"delta":`;
				for (const delta of plan.message?.pieces ?? []) {
					const data = `${head}${JSON.stringify(delta)},"sequence_number":${sequence++}}`;
					body.push(sseEvent(data, 'response.output_text.delta'));
				}

				body.push(frame({type: 'response.output_text.done', ...at, output_index: index, text}));
				body.push(
					frame({type: 'response.content_part.done', ...at, output_index: index, part: {...part, text}}),
				);
			},
			{content: []},
		);
	}

	if (plan.functionCall) {
		const id = newId('fc');
		const {name, argPieces} = plan.functionCall;
		const args = argPieces.join('');
		addItem(
			{id, type: 'function_call', call_id: newId('call'), name, arguments: args},
			(index) => {
				for (const delta of argPieces) {
					body.push(
						frame({type: 'response.function_call_arguments.delta', item_id: id, output_index: index, delta}),
					);
				}

				body.push(
					frame({
						type: 'response.function_call_arguments.done',
						item_id: id,
						output_index: index,
						arguments: args,
					}),
				);
			},
			{arguments: ''},
		);
	}

	return {
		responseId,
		model: plan.model,
		created,
		body,
		completed: (usage) =>
			frame({type: 'response.completed', response: response('completed', {output, usage})}),
		failed: (code, message, extra) =>
			frame({
				type: 'response.failed',
				response: response('failed', {error: {code, message, ...extra}, output}),
			}),
	};
}

/** Splits a string into pieces of about `size` characters (function-call argument deltas). */
export function chunkString(text: string, size: number): string[] {
	const pieces: string[] = [];
	for (let i = 0; i < text.length; i += size) {
		pieces.push(text.slice(i, i + size));
	}

	return pieces.length > 0 ? pieces : [''];
}
