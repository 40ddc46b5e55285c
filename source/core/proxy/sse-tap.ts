import {Transform, type TransformCallback} from 'node:stream';
import {EVENT_END, EVENT_FIELD as EVENT_FIELD_TEXT} from '../sse/frame.ts';
import {eventData} from '../sse/parse.ts';

/** The events the engine learns from, by name: everything else, deltas above all, is passed over. */
const INTERESTING_TYPES = [
	'response.output_item.done',
	'response.completed',
	'response.failed',
	'response.incomplete',
	'codex.rate_limits',
	// Their turn state's issuer (sessions/turn-state-issuers.ts).
	'response.metadata',
	'codex.response.metadata',
	'error',
];
/** As their `event:` lines name them. */
const INTERESTING_NAMES = INTERESTING_TYPES.map((name) => Buffer.from(name));
/** As their data shows them (for the rare event without an `event:` line); `error` only quoted, as a key or type. */
const INTERESTING = new RegExp(
	INTERESTING_TYPES.map((type) => (type === 'error' ? '"error"' : type.replaceAll('.', '\\.'))).join('|'),
);
const ITEM_DONE_NAME = INTERESTING_NAMES[INTERESTING_TYPES.indexOf('response.output_item.done')]!;
const ENCRYPTED_FIELD = Buffer.from('"encrypted_content"');
/** An event larger than this is passed on but not inspected (memory stays bounded). */
const MAX_EVENT_BYTES = 16 * 1024 * 1024;

const LF = 0x0a;
const CR = 0x0d;
/** The SSE module's framing, as bytes: the tap frames events on the bytes themselves. */
const EVENT_FIELD = Buffer.from(EVENT_FIELD_TEXT);
const BLANK_LINE = Buffer.from(EVENT_END);

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
The interesting name `bytes[start, end)` is, if any. A plain loop: a callback here would be a closure allocated
for every event of every stream (a quarter of all the proxy allocated, measured).
*/
function interestingName(bytes: Buffer, start: number, end: number): Buffer | undefined {
	for (const name of INTERESTING_NAMES) {
		if (end - start === name.length && bytesAt(bytes, start, name)) {
			return name;
		}
	}

	return undefined;
}

/** What `eventEnd` answers when the event's end is not in the chunk. */
const NO_END = -1;
/** What `eventEnd` answers on a CRLF line end: the stream is CRLF-framed. */
const CRLF_SEEN = -2;

/**
Where an event's end (a blank line) starts, looking from `lineEnd`, the end of one of its lines (or -1).
`crlf`: the stream is already known to be CRLF-framed (and rewritten), so a CR left before an LF is data.
*/
function eventEnd(chunk: Buffer, lineEnd: number, crlf: boolean): number {
	let at = lineEnd;
	while (at !== -1) {
		if (!crlf && at > 0 && chunk[at - 1] === CR) {
			return CRLF_SEEN;
		}

		if (chunk[at + 1] === LF) {
			return at;
		}

		at = chunk.indexOf(LF, at + 1);
	}

	return NO_END;
}

/** CRLF line ends as LF (latin1 maps bytes 1:1, so multi-byte characters pass unchanged). */
function withLfLineEnds(bytes: Buffer): Buffer {
	return Buffer.from(bytes.toString('latin1').replaceAll('\r\n', '\n'), 'latin1');
}

/**
Reads the SSE events going by, without changing a byte: the engine learns usage, quota events and which
account issued each encrypted item from it. `onEvent` gets the parsed `data` of the interesting events only.
Events are framed on the bytes themselves, in place, and judged on the bytes of their name: only the few the
engine learns from are ever copied out as text (a turn's ~300 deltas never are). An event split across chunks
waits as the tail of its chunk until its end comes; only then are its pieces joined.
*/
export class SseScanner {
	readonly #onEvent: (event: Record<string, unknown>) => void;
	/** The start of an event whose end has not come yet: tails of earlier chunks. */
	readonly #pending: Buffer[] = [];
	#pendingBytes = 0;
	/** The stream frames its lines with CRLF (not the backend's way): every chunk is rewritten to LF first. */
	#crlf = false;
	/** In CRLF mode, a CR that ended the last chunk: half of a CRLF the next chunk may complete. */
	#carriedCr = false;

	constructor(onEvent: (event: Record<string, unknown>) => void) {
		this.#onEvent = onEvent;
	}

	write(chunk: Buffer): void {
		const bytes = this.#crlf ? this.#lfFramed(chunk) : chunk;
		let start = 0;
		if (this.#pendingBytes > 0) {
			const last = this.#pending.at(-1)!;
			const tailEnd = last[last.length - 1];
			if (tailEnd === CR && bytes[0] === LF && !this.#crlf) {
				this.#becomeCrlf(bytes);
				return;
			}

			if (tailEnd === LF && bytes[0] === LF) {
				// The blank line straddles the two: the tail ends the event's last line, the chunk begins with the blank one.
				const event = this.#takePending();
				this.#consider(event, 0, event.length - 1);
				start = 1;
			} else {
				const end = eventEnd(bytes, bytes.indexOf(LF), this.#crlf);
				if (end === CRLF_SEEN) {
					this.#becomeCrlf(bytes);
					return;
				}

				if (end === NO_END) {
					this.#hold(bytes);
					return;
				}

				const event = Buffer.concat([this.#takePending(), bytes.subarray(0, end)]);
				this.#consider(event, 0, event.length);
				start = end + 2;
			}
		}

		while (start < bytes.length) {
			const nameEnd = bytes.indexOf(LF, start);
			const end = eventEnd(bytes, nameEnd, this.#crlf);
			if (end === CRLF_SEEN) {
				this.#becomeCrlf(bytes.subarray(start));
				return;
			}

			if (end === NO_END) {
				this.#hold(bytes.subarray(start));
				return;
			}

			if (end > start) {
				this.#consider(bytes, start, end, nameEnd);
			}

			start = end + 2;
		}
	}

	end(): void {
		if (this.#carriedCr) {
			this.#carriedCr = false;
			this.#hold(Buffer.from([CR]));
		}

		this.write(BLANK_LINE);
		this.#dropPending();
	}

	/** The rest of the stream is CRLF-framed: `rest` (from the start of the event being read) goes again, as LF. */
	#becomeCrlf(rest: Buffer): void {
		this.#crlf = true;
		this.write(Buffer.concat([this.#takePending(), rest]));
	}

	/** The held tails as one buffer; none is held after. */
	#takePending(): Buffer {
		const pending = this.#pending.length === 1 ? this.#pending[0]! : Buffer.concat(this.#pending);
		this.#dropPending();
		return pending;
	}

	#dropPending(): void {
		this.#pending.length = 0;
		this.#pendingBytes = 0;
	}

	/** Line ends as LF, a CRLF split across two chunks included. */
	#lfFramed(chunk: Buffer): Buffer {
		const joined = this.#carriedCr ? Buffer.concat([Buffer.from([CR]), chunk]) : chunk;
		this.#carriedCr = joined[joined.length - 1] === CR;
		return withLfLineEnds(this.#carriedCr ? joined.subarray(0, -1) : joined);
	}

	#hold(tail: Buffer): void {
		if (tail.length === 0) {
			return;
		}

		this.#pending.push(tail);
		this.#pendingBytes += tail.length;
		if (this.#pendingBytes > MAX_EVENT_BYTES) {
			this.#dropPending();
		}
	}

	/**
	One complete event, `bytes[start, end)`, whose first line ends at `firstLineEnd` (when known): parsed only if
	it is one the engine learns from.
	*/
	#consider(bytes: Buffer, start: number, end: number, firstLineEnd = bytes.indexOf(LF, start)): void {
		// The backend names every event on its first line (`event: response.output_text.delta`): the name alone
		// decides, on the bytes, so the many events nobody learns from (deltas above all) are never made text.
		if (bytesAt(bytes, start, EVENT_FIELD)) {
			const nameEnd = firstLineEnd === -1 || firstLineEnd > end ? end : firstLineEnd;
			const nameStart = start + EVENT_FIELD.length + (bytes[start + EVENT_FIELD.length] === 0x20 ? 1 : 0);
			const name = interestingName(bytes, nameStart, nameEnd);
			// A finished item matters only when it carries ciphertext (to record who issued it).
			const learnt =
				name !== undefined &&
				(name !== ITEM_DONE_NAME || bytes.subarray(nameEnd, end).includes(ENCRYPTED_FIELD));
			if (learnt) {
				this.#parse(bytes.toString('utf8', start, end));
			}

			return;
		}

		// No name: the data says what it is.
		const block = bytes.toString('utf8', start, end);
		if (
			INTERESTING.test(block) &&
			(!block.includes('output_item.done') || block.includes('encrypted_content'))
		) {
			this.#parse(block);
		}
	}

	/**
	Parses the data of one event (its `data:` lines, joined as SSE joins them). `block` is a whole event, so no
	UTF-8 sequence in it is cut.
	*/
	#parse(block: string): void {
		const data = eventData(block);
		if (data === undefined || data === '' || data === '[DONE]') {
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
