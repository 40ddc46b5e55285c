import type {ResponsesEvent} from '../sse/responses-events.ts';

type Item = Record<string, unknown>;

/** How a Responses stream ended: a finished (or incomplete) response, a failure, or a cut stream. */
export type AssembledResponse =
	| {readonly kind: 'response'; readonly response: Record<string, unknown>}
	| {readonly kind: 'failed'; readonly error: {code?: unknown; message?: unknown} | undefined}
	| {readonly kind: 'cut'};

/**
Builds the one Response object a non-streaming client gets from the upstream's events. The final
`response.completed` (or `.incomplete`) carries the status and usage; its `output` is used when present,
otherwise (the ChatGPT backend may send it empty with `store:false`) the items are rebuilt from
`output_item.*` events and the text and argument deltas, so no output is lost.
*/
export function createResponseAssembler(): {
	push: (event: ResponsesEvent) => void;
	result: () => AssembledResponse;
} {
	const items = new Map<number, Item>();
	let base: Record<string, unknown> | undefined;
	let outcome: AssembledResponse = {kind: 'cut'};

	const itemAt = (event: ResponsesEvent): Item | undefined =>
		typeof event.output_index === 'number' ? items.get(event.output_index) : undefined;

	return {
		push(event) {
			switch (event.type) {
				case 'response.created':
				case 'response.in_progress': {
					base = record(event.response) ?? base;
					break;
				}

				case 'response.output_item.added':
				case 'response.output_item.done': {
					const item = record(event.item);
					if (item !== undefined && typeof event.output_index === 'number') {
						items.set(event.output_index, structuredClone(item));
					}

					break;
				}

				case 'response.output_text.delta': {
					const item = itemAt(event);
					if (item !== undefined && typeof event.delta === 'string') {
						const part = contentPart(item, typeof event.content_index === 'number' ? event.content_index : 0);
						part.text = `${typeof part.text === 'string' ? part.text : ''}${event.delta}`;
					}

					break;
				}

				case 'response.function_call_arguments.delta': {
					const item = itemAt(event);
					if (item !== undefined && typeof event.delta === 'string') {
						item.arguments = `${typeof item.arguments === 'string' ? item.arguments : ''}${event.delta}`;
					}

					break;
				}

				case 'response.completed':
				case 'response.incomplete': {
					const response = record(event.response) ?? base ?? {};
					const output =
						Array.isArray(response.output) && response.output.length > 0
							? response.output
							: assembledItems(items);
					outcome = {kind: 'response', response: {...base, ...response, output}};
					break;
				}

				case 'response.failed': {
					const response = record(event.response);
					outcome = {
						kind: 'failed',
						error: record(response?.error) ?? {
							code: 'response_failed',
							message: 'The upstream response failed.',
						},
					};
					break;
				}

				case 'error': {
					outcome = {kind: 'failed', error: {code: event.code, message: event.message}};
					break;
				}

				default:
			}
		},
		result: () => outcome,
	};
}

function assembledItems(items: ReadonlyMap<number, Item>): Item[] {
	return [...items.entries()].sort(([a], [b]) => a - b).map(([, item]) => item);
}

function contentPart(item: Item, index: number): Record<string, unknown> {
	if (!Array.isArray(item.content)) {
		item.content = [];
	}

	const content = item.content as Array<Record<string, unknown>>;
	content[index] ??= {type: 'output_text', text: '', annotations: []};
	return content[index];
}

function record(value: unknown): Record<string, unknown> | undefined {
	return typeof value === 'object' && value !== null && !Array.isArray(value)
		? (value as Record<string, unknown>)
		: undefined;
}
