import {DATA_FIELD, EVENT_FIELD} from './frame.ts';

/** The field names without their colon, as a parsed line gives them. */
const DATA_NAME = DATA_FIELD.slice(0, -1);
const EVENT_NAME = EVENT_FIELD.slice(0, -1);

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

		if (field === DATA_NAME) {
			data.push(value);
			hasData = true;
		} else if (field === EVENT_NAME) {
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

/** Every event of a whole SSE text (a body read to its end). */
export function parseSseText(text: string): SseMessage[] {
	const parser = createSseParser();
	return [...parser.push(text), ...parser.end()];
}

/**
The data of one whole event already cut out of an LF-framed stream (its `data:` lines joined as SSE joins
them), or undefined when it has none. For readers that frame events themselves (the proxy's byte-level tap)
and only need the few they care about read.
*/
export function eventData(block: string): string | undefined {
	let data: string | undefined;
	let lineStart = 0;
	while (lineStart < block.length) {
		const newline = block.indexOf('\n', lineStart);
		const lineEnd = newline === -1 ? block.length : newline;
		if (block.startsWith(DATA_FIELD, lineStart)) {
			const valueStart =
				lineStart + DATA_FIELD.length + (block.charCodeAt(lineStart + DATA_FIELD.length) === 0x20 ? 1 : 0);
			const value = block.slice(valueStart, lineEnd);
			data = data === undefined ? value : `${data}\n${value}`;
		}

		lineStart = lineEnd + 1;
	}

	return data;
}
