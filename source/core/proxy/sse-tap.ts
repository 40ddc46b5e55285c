import {Transform, type TransformCallback} from 'node:stream';

/** Events the engine learns from (everything else, deltas above all, passes without being parsed). */
const INTERESTING =
	/response\.output_item\.done|response\.completed|response\.failed|response\.incomplete|codex\.rate_limits|"error"/g;
/** An event larger than this is passed on but not inspected (memory stays bounded). */
const MAX_EVENT_CHARS = 16 * 1024 * 1024;

/**
Reads the SSE events going by, without changing a byte: the engine learns usage, quota events and which
account issued each encrypted item from it. `onEvent` gets the parsed `data` of the interesting events only,
so a run of deltas costs one regex pass per chunk.
*/
export class SseScanner {
	readonly #onEvent: (event: Record<string, unknown>) => void;
	#pending = '';

	constructor(onEvent: (event: Record<string, unknown>) => void) {
		this.#onEvent = onEvent;
	}

	/** latin1 maps bytes 1:1, so a UTF-8 sequence split across chunks is never mangled; parsed events are decoded as UTF-8. */
	write(chunk: Buffer): void {
		this.#scan(chunk.toString('latin1'));
	}

	end(): void {
		this.#scan('\n\n');
	}

	#scan(text: string): void {
		const joined = this.#pending + text;
		// Normalised after joining, so a CRLF split across two chunks is seen whole.
		const buffer = joined.includes('\r') ? joined.replaceAll('\r\n', '\n') : joined;
		const end = buffer.lastIndexOf('\n\n');
		if (end === -1) {
			this.#pending = buffer.length > MAX_EVENT_CHARS ? '' : buffer;
			return;
		}

		// Most chunks hold only deltas: one regex pass over the complete events finds the few that matter, and only
		// those are cut out and parsed.
		const complete = buffer.slice(0, end);
		INTERESTING.lastIndex = 0;
		let match = INTERESTING.exec(complete);
		while (match !== null) {
			const start = complete.lastIndexOf('\n\n', match.index);
			const stop = complete.indexOf('\n\n', match.index);
			const blockEnd = stop === -1 ? complete.length : stop;
			const block = complete.slice(start === -1 ? 0 : start + 2, blockEnd);
			// A finished item matters only when it carries ciphertext (to record who issued it).
			if (!block.includes('output_item.done') || block.includes('encrypted_content')) {
				this.#parse(block);
			}

			INTERESTING.lastIndex = blockEnd;
			match = INTERESTING.exec(complete);
		}

		const rest = buffer.slice(end + 2);
		this.#pending = rest.length > MAX_EVENT_CHARS ? '' : rest;
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
