import type {Readable} from 'node:stream';

/** One server-sent event: its `event:` name (if any) and its joined `data:` lines. */
export type SseMessage = {readonly event: string | undefined; readonly data: string};

/**
An incremental SSE parser: feed it chunks split anywhere (inside a line, a CRLF pair or a UTF-8 sequence)
and it returns the events completed so far. `end()` flushes an event the stream did not terminate with a
blank line. Follows the WHATWG event-stream rules for `data`, `event` and comments; `id`/`retry` are ignored.
*/
export function createSseParser(): {
	push: (chunk: Uint8Array | string) => SseMessage[];
	end: () => SseMessage[];
} {
	const decoder = new TextDecoder();
	let buffer = '';
	let event: string | undefined;
	let data: string[] = [];
	let hasData = false;

	const takeLine = (line: string, out: SseMessage[]) => {
		if (line === '') {
			if (hasData) {
				out.push({event, data: data.join('\n')});
			}

			event = undefined;
			data = [];
			hasData = false;
			return;
		}

		if (line.startsWith(':')) {
			return;
		}

		const colon = line.indexOf(':');
		const field = colon === -1 ? line : line.slice(0, colon);
		let value = colon === -1 ? '' : line.slice(colon + 1);
		if (value.startsWith(' ')) {
			value = value.slice(1);
		}

		if (field === 'data') {
			data.push(value);
			hasData = true;
		} else if (field === 'event') {
			event = value;
		}
	};

	const drain = (final: boolean): SseMessage[] => {
		const out: SseMessage[] = [];
		for (;;) {
			const match = /\r\n|\r|\n/.exec(buffer);
			if (match === null) {
				break;
			}

			// A lone CR at the end may be the first half of a CRLF that the next chunk completes.
			if (match[0] === '\r' && match.index === buffer.length - 1 && !final) {
				break;
			}

			takeLine(buffer.slice(0, match.index), out);
			buffer = buffer.slice(match.index + match[0].length);
		}

		if (final) {
			if (buffer !== '') {
				takeLine(buffer, out);
				buffer = '';
			}

			takeLine('', out);
		}

		return out;
	};

	return {
		push(chunk) {
			buffer += typeof chunk === 'string' ? chunk : decoder.decode(chunk, {stream: true});
			return drain(false);
		},
		end() {
			buffer += decoder.decode();
			return drain(true);
		},
	};
}

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

/** Formats one SSE event as the OpenAI API does for Responses (`event:` + `data:`) or chat (`data:` only). */
export function formatSse(data: unknown, event?: string): string {
	const payload = typeof data === 'string' ? data : JSON.stringify(data);
	return event === undefined ? `data: ${payload}\n\n` : `event: ${event}\ndata: ${payload}\n\n`;
}
