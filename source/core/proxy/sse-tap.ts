import {Transform, type TransformCallback} from 'node:stream';

/** Events the engine learns from (everything else, deltas above all, passes without being parsed). */
const INTERESTING =
	/response\.output_item\.done|response\.completed|response\.failed|response\.incomplete|codex\.rate_limits|"error"/;
/** An event larger than this is passed on but not inspected (memory stays bounded). */
const MAX_EVENT_CHARS = 16 * 1024 * 1024;

const EVENT_FIELD = Buffer.from('event:');
const DELTA_NAME_END = Buffer.from('.delta\n');

/** Whether `bytes` occur in `chunk` at `at`. */
function bytesAt(chunk: Buffer, at: number, bytes: Buffer): boolean {
	if (at < 0 || at + bytes.length > chunk.length) {
		return false;
	}

	for (let index = 0; index < bytes.length; index++) {
		if (chunk[at + index] !== bytes[index]) {
			return false;
		}
	}

	return true;
}

/**
Whether `chunk` is one or more complete events, each a `….delta` name line and one data line (LF-framed),
and nothing else. Bytes are compared in place.
*/
function onlyDeltas(chunk: Buffer): boolean {
	let start = 0;
	while (start < chunk.length) {
		const lineEnd = chunk.indexOf(10, start);
		if (!bytesAt(chunk, start, EVENT_FIELD) || !bytesAt(chunk, lineEnd - 6, DELTA_NAME_END)) {
			return false;
		}

		// The usual delta is two lines, its name and its data; anything else goes the long way.
		const dataEnd = chunk.indexOf(10, lineEnd + 1);
		if (dataEnd === -1 || chunk[dataEnd + 1] !== 10) {
			return false;
		}

		start = dataEnd + 2;
	}

	return true;
}

/**
Reads the SSE events going by, without changing a byte: the engine learns usage, quota events and which
account issued each encrypted item from it. `onEvent` gets the parsed `data` of the interesting events only,
so a run of deltas costs a look at each one's name.
*/
export class SseScanner {
	readonly #onEvent: (event: Record<string, unknown>) => void;
	#pending = '';

	constructor(onEvent: (event: Record<string, unknown>) => void) {
		this.#onEvent = onEvent;
	}

	/** latin1 maps bytes 1:1, so a UTF-8 sequence split across chunks is never mangled; parsed events are decoded as UTF-8. */
	write(chunk: Buffer): void {
		// The common chunk, whole delta events and nothing else, is passed over on its bytes: no copy as text
		// (that copy was a third of everything the proxy allocated, and so of its garbage collection).
		if (this.#pending === '' && onlyDeltas(chunk)) {
			return;
		}

		this.#scan(chunk.toString('latin1'));
	}

	end(): void {
		this.#scan('\n\n');
	}

	#scan(text: string): void {
		const joined = this.#pending + text;
		// Normalised after joining, so a CRLF split across two chunks is seen whole.
		const buffer = joined.includes('\r') ? joined.replaceAll('\r\n', '\n') : joined;
		let start = 0;
		let end = buffer.indexOf('\n\n');
		while (end !== -1) {
			this.#consider(buffer, start, end);
			start = end + 2;
			end = buffer.indexOf('\n\n', start);
		}

		const rest = start === 0 ? buffer : buffer.slice(start);
		this.#pending = rest.length > MAX_EVENT_CHARS ? '' : rest;
	}

	/** One complete event, `buffer[start, end)`: parsed only if it is one the engine learns from. */
	#consider(buffer: string, start: number, end: number): void {
		// Nearly every event is a delta, named so on its first line (`event: response.output_text.delta`, as the
		// backend frames them): those are passed over on their name alone, without reading their data.
		if (buffer.startsWith('event:', start)) {
			const lineEnd = buffer.indexOf('\n', start);
			const nameEnd = lineEnd === -1 || lineEnd > end ? end : lineEnd;
			if (buffer.startsWith('.delta', nameEnd - 6)) {
				return;
			}
		}

		const block = buffer.slice(start, end);
		// A finished item matters only when it carries ciphertext (to record who issued it).
		if (
			INTERESTING.test(block) &&
			(!block.includes('output_item.done') || block.includes('encrypted_content'))
		) {
			this.#parse(block);
		}
	}

	#parse(block: string): void {
		const data = block
			.split('\n')
			.filter((line) => line.startsWith('data:'))
			.map((line) => line.slice(line.startsWith('data: ') ? 6 : 5))
			.join('\n');
		if (data === '' || data === '[DONE]') {
			return;
		}

		try {
			const parsed: unknown = JSON.parse(Buffer.from(data, 'latin1').toString('utf8'));
			if (typeof parsed === 'object' && parsed !== null) {
				this.#onEvent(parsed as Record<string, unknown>);
			}
		} catch {
			// Not JSON: nothing to learn from it; the client still gets it unchanged.
		}
	}
}

/** The scanner as a pass-through stream. */
export class SseTap extends Transform {
	readonly #scanner: SseScanner;

	constructor(onEvent: (event: Record<string, unknown>) => void) {
		super();
		this.#scanner = new SseScanner(onEvent);
	}

	override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
		this.#scanner.write(chunk);
		callback(null, chunk);
	}

	override _flush(callback: TransformCallback): void {
		this.#scanner.end();
		callback();
	}
}
