/** One server-sent event: its `event:` name (default `message`) and its joined `data:` lines. */
export type SseEvent = {readonly event: string; readonly data: string};

/**
An incremental SSE parser: chunks may split anywhere, even inside a UTF-8 character or a line break.
Used by the remote core to read the daemon's event stream.
*/
export class SseParser {
	readonly #decoder = new TextDecoder();
	#buffer = '';

	push(chunk: Uint8Array): SseEvent[] {
		this.#buffer += this.#decoder.decode(chunk, {stream: true});
		const events: SseEvent[] = [];
		let boundary = this.#nextBoundary();
		while (boundary !== undefined) {
			const block = this.#buffer.slice(0, boundary.index);
			this.#buffer = this.#buffer.slice(boundary.index + boundary.length);
			const event = parseBlock(block);
			if (event !== undefined) {
				events.push(event);
			}

			boundary = this.#nextBoundary();
		}

		return events;
	}

	#nextBoundary(): {index: number; length: number} | undefined {
		const match = /\r?\n\r?\n/.exec(this.#buffer);
		return match ? {index: match.index, length: match[0].length} : undefined;
	}
}

function parseBlock(block: string): SseEvent | undefined {
	let event = 'message';
	const data: string[] = [];
	for (const line of block.split(/\r?\n/)) {
		if (line.startsWith(':')) {
			continue;
		}

		const colon = line.indexOf(':');
		const field = colon === -1 ? line : line.slice(0, colon);
		const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
		if (field === 'event') {
			event = value;
		} else if (field === 'data') {
			data.push(value);
		}
	}

	return data.length === 0 ? undefined : {event, data: data.join('\n')};
}
