import type {Readable} from 'node:stream';
import {createSseParser, parseSseText, type SseMessage} from './parse.ts';

/** A Responses stream event: the parsed JSON of one `data:` payload; `type` names it. */
export type ResponsesEvent = {readonly type: string; readonly [key: string]: unknown};

/**
Reads a Responses SSE body as parsed events. The type comes from the JSON (as Codex reads it), falling back
to the `event:` line; payloads that are not JSON objects (`[DONE]`, keep-alives) are skipped.
*/
export async function* readResponsesEvents(
	body: Readable | AsyncIterable<Uint8Array | string>,
): AsyncGenerator<ResponsesEvent> {
	const parser = createSseParser();
	for await (const chunk of body) {
		yield* parseMessages(parser.push(chunk as Uint8Array | string));
	}

	yield* parseMessages(parser.end());
}

function* parseMessages(messages: readonly SseMessage[]): Generator<ResponsesEvent> {
	for (const message of messages) {
		let parsed: unknown;
		try {
			parsed = JSON.parse(message.data);
		} catch {
			continue;
		}

		if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
			continue;
		}

		const record = parsed as Record<string, unknown>;
		const type = typeof record.type === 'string' ? record.type : message.event;
		if (type !== undefined) {
			yield {...record, type};
		}
	}
}

/** The Responses events of a whole SSE text (a body read to its end). */
export function responsesEventsOf(text: string): ResponsesEvent[] {
	return [...parseMessages(parseSseText(text))];
}
