import {Transform, type TransformCallback} from 'node:stream';
import {StringDecoder} from 'node:string_decoder';

/** Events the engine learns from (everything else, deltas above all, passes without being parsed). */
const INTERESTING =
	/response\.output_item\.done|response\.completed|response\.failed|response\.incomplete|codex\.rate_limits|"error"/;
/** An event larger than this is passed on but not inspected (memory stays bounded). */
const MAX_EVENT_CHARS = 16 * 1024 * 1024;

/**
A pass-through stream that reads the SSE events going by, without changing a byte: the engine learns usage,
quota events and which account issued each encrypted item from it. `onEvent` gets the parsed `data` of the
interesting events only, so streaming deltas cost one substring test each.
*/
export class SseTap extends Transform {
	readonly #decoder = new StringDecoder('utf8');
	readonly #onEvent: (event: Record<string, unknown>) => void;
	#pending = '';

	constructor(onEvent: (event: Record<string, unknown>) => void) {
		super();
		this.#onEvent = onEvent;
	}

	override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
		this.#scan(this.#decoder.write(chunk));
		callback(null, chunk);
	}

	override _flush(callback: TransformCallback): void {
		this.#scan(`${this.#decoder.end()}\n\n`);
		callback();
	}

	#scan(text: string): void {
		const buffer = this.#pending + (text.includes('\r') ? text.replaceAll('\r\n', '\n') : text);
		const end = buffer.lastIndexOf('\n\n');
		if (end === -1) {
			this.#pending = buffer.length > MAX_EVENT_CHARS ? '' : buffer;
			return;
		}

		// Most chunks hold only deltas: one test over the complete events, and no per-event strings.
		const complete = buffer.slice(0, end);
		if (INTERESTING.test(complete)) {
			for (const block of complete.split('\n\n')) {
				if (INTERESTING.test(block)) {
					this.#parse(block);
				}
			}
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
			const parsed: unknown = JSON.parse(data);
			if (typeof parsed === 'object' && parsed !== null) {
				this.#onEvent(parsed as Record<string, unknown>);
			}
		} catch {
			// Not JSON: nothing to learn from it; the client still gets it unchanged.
		}
	}
}
