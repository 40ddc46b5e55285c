import fs from 'node:fs';
import {Decompress} from 'fzstd';

/**
What the reader does with a line once its first bytes are known: `skip` lines are never joined or decoded
(most of a rollout's bytes are conversation items a replay does not need), `keep` lines are handed over whole.
*/
export type LineDecision = 'skip' | 'keep';

export type LineSink = {
	/** Decide from the line's first bytes (at least PREFIX_BYTES of them, or the whole line if shorter). */
	readonly decide: (prefix: Buffer) => LineDecision;
	/** A kept line, without its newline. `complete` is false for a last line that had no newline. */
	readonly line: (line: Buffer, complete: boolean) => void;
	/** A skipped line ended; `wellFormed` says whether it ended like a JSON object. */
	readonly skipped: (wellFormed: boolean, complete: boolean) => void;
};

/** How many bytes of a line a decision needs: the envelope's type and the payload's type are well within it. */
export const PREFIX_BYTES = 160;
const CHUNK_BYTES = 1 << 20;
const NEWLINE = 0x0a;
const CLOSE_BRACE = 0x7d;
const CARRIAGE_RETURN = 0x0d;

/**
Splits a byte stream into lines without ever holding more than one chunk plus one kept line: a line that is
skipped is dropped chunk by chunk as it streams past.
*/
export class LineSplitter {
	readonly #sink: LineSink;
	#pending: Buffer[] = [];
	#pendingBytes = 0;
	#skipping = false;
	/** The current line's decision was `keep`: it is joined whole without asking again. */
	#keeping = false;
	#lastByte = -1;

	constructor(sink: LineSink) {
		this.#sink = sink;
	}

	push(chunk: Buffer): void {
		let position = 0;
		for (;;) {
			const newline = chunk.indexOf(NEWLINE, position);
			if (newline === -1) {
				if (position < chunk.length) this.#partial(chunk.subarray(position));
				return;
			}

			this.#complete(chunk.subarray(position, newline), true);
			position = newline + 1;
		}
	}

	/** The stream ended: a last line without a newline is reported as incomplete. */
	end(): void {
		if (this.#skipping || this.#pendingBytes > 0) this.#complete(Buffer.alloc(0), false);
	}

	#partial(part: Buffer): void {
		if (this.#skipping) {
			this.#lastByte = part[part.length - 1]!;
			return;
		}

		// A copy: the decompressor may reuse its output buffer for the next chunk.
		this.#pending.push(Buffer.from(part));
		this.#pendingBytes += part.length;
		if (!this.#keeping && this.#pendingBytes >= PREFIX_BYTES) {
			const joined = this.#pending.length === 1 ? this.#pending[0]! : Buffer.concat(this.#pending);
			this.#pending = [joined];
			if (this.#sink.decide(joined.subarray(0, PREFIX_BYTES)) === 'keep') {
				this.#keeping = true;
			} else {
				this.#skipping = true;
				this.#lastByte = joined[joined.length - 1]!;
				this.#pending = [];
				this.#pendingBytes = 0;
			}
		}
	}

	#complete(tail: Buffer, complete: boolean): void {
		if (this.#skipping) {
			if (tail.length > 0) this.#lastByte = tail[tail.length - 1]!;
			this.#skipping = false;
			this.#sink.skipped(endsLikeObject(this.#lastByte), complete);
			return;
		}

		const line =
			this.#pendingBytes === 0
				? tail
				: Buffer.concat([...this.#pending, tail], this.#pendingBytes + tail.length);
		const decided = this.#keeping;
		this.#pending = [];
		this.#pendingBytes = 0;
		this.#keeping = false;
		if (line.length === 0 || (line.length === 1 && line[0] === CARRIAGE_RETURN)) return;
		if (!decided && this.#sink.decide(line.subarray(0, PREFIX_BYTES)) === 'skip') {
			this.#sink.skipped(endsLikeObject(lastNonSpace(line)), complete);
			return;
		}

		this.#sink.line(line, complete);
	}
}

function lastNonSpace(line: Buffer): number {
	let at = line.length - 1;
	while (at >= 0 && (line[at] === CARRIAGE_RETURN || line[at] === 0x20)) at--;
	return at >= 0 ? line[at]! : -1;
}

function endsLikeObject(byte: number): boolean {
	return byte === CLOSE_BRACE;
}

/**
Streams one file (plain, or zstd-compressed when its name ends in `.zst`) through a splitter, reading it in
chunks into `buffer`, which is reused from file to file (a fresh chunk per read kept the garbage collector
busy). Reads are synchronous: a replay reads thousands of small files one after the other, and the hop to the
I/O thread pool per read cost more than the reads (measured with bench/replay.ts). Returns the bytes read
from disk; a corrupt zstd stream throws.
*/
export function streamFile(
	file: string,
	sink: LineSink,
	buffer: Buffer<ArrayBufferLike> = Buffer.allocUnsafe(CHUNK_BYTES),
): number {
	const splitter = new LineSplitter(sink);
	const descriptor = fs.openSync(file, 'r');
	let bytes = 0;
	try {
		const decompressor = file.endsWith('.zst')
			? new Decompress((data) => {
					splitter.push(Buffer.from(data.buffer, data.byteOffset, data.byteLength));
				})
			: undefined;
		for (;;) {
			const read = fs.readSync(descriptor, buffer, 0, buffer.length, null);
			if (read === 0) break;
			bytes += read;
			const chunk = buffer.subarray(0, read);
			// The splitter copies what it keeps; the decompressor may hold on to input, so it gets a copy.
			if (decompressor === undefined) splitter.push(chunk);
			else decompressor.push(Buffer.from(chunk));
		}

		decompressor?.push(new Uint8Array(0), true);
	} finally {
		fs.closeSync(descriptor);
	}

	splitter.end();
	return bytes;
}
