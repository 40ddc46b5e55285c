import assert from 'node:assert/strict';
import test from 'node:test';
import {SseTap} from '../../source/core/proxy/sse-tap.ts';
import {responsesEvent} from '../../source/core/sse/frame.ts';

const stream = [
	{type: 'response.created'},
	...Array.from({length: 50}, (_, index) => ({type: 'response.output_text.delta', delta: String(index)})),
	{type: 'response.output_item.done', item: {type: 'reasoning', encrypted_content: 'é-secret'}},
	{type: 'response.completed', response: {usage: {input_tokens: 3}}},
]
	.map(responsesEvent)
	.join('');

/** `bytes` cut into pieces of `size` (the last one shorter). */
function slices(bytes: Buffer, size: number): Buffer[] {
	const pieces: Buffer[] = [];
	for (let offset = 0; offset < bytes.length; offset += size) {
		pieces.push(bytes.subarray(offset, offset + size));
	}

	return pieces;
}

async function tap(chunks: readonly Buffer[]) {
	const seen: string[] = [];
	const passed: Buffer[] = [];
	const tapStream = new SseTap((event) => {
		seen.push(String(event.type));
		const item = event.item as {encrypted_content?: string} | undefined;
		if (item !== undefined) {
			// Multi-byte characters survive any chunk boundary.
			assert.equal(item.encrypted_content, 'é-secret');
		}
	});
	tapStream.on('data', (chunk: Buffer) => passed.push(chunk));
	for (const chunk of chunks) {
		tapStream.write(chunk);
	}

	tapStream.end();
	await new Promise((resolve) => tapStream.on('end', resolve));
	return {seen, passed: Buffer.concat(passed)};
}

test('one event per chunk, as the upstream writes them, the interesting ones are found among the deltas', async () => {
	const events = stream.split(/(?<=\n\n)/);
	assert.equal(events.length, 53);
	const {seen, passed} = await tap(events.map((event) => Buffer.from(event)));
	assert.deepEqual(seen, ['response.output_item.done', 'response.completed']);
	assert.ok(passed.equals(Buffer.from(stream)));
});

test('the tap passes every byte unchanged and parses only the interesting events, across any chunking', async () => {
	const bytes = Buffer.from(stream);
	for (const size of [1, 7, 64, 1000, bytes.length]) {
		const {seen, passed} = await tap(slices(bytes, size));
		assert.deepEqual(seen, ['response.output_item.done', 'response.completed'], `chunk size ${size}`);
		assert.ok(passed.equals(bytes));
	}
});

test('the tap reads CRLF-framed events, across any chunking', async () => {
	const bytes = Buffer.from(stream.replaceAll('\n', '\r\n'));
	for (const size of [1, 5, 64, bytes.length]) {
		const {seen} = await tap(slices(bytes, size));
		assert.deepEqual(seen, ['response.output_item.done', 'response.completed'], `chunk size ${size}`);
	}
});

test('deltas are passed over on their name; events without an event line are still read from their data', async () => {
	const bytes = Buffer.from(
		[
			// A model may well write the words of an event type: a delta is never parsed, whatever it says.
			'event: response.output_text.delta\ndata: {"type":"response.output_text.delta","delta":"response.completed \\"error\\""}\n\n',
			'data: {"type":"codex.rate_limits","rate_limits":{}}\n\n',
			'data: {"type":"response.output_text.delta","delta":"x"}\n\n',
			'event: error\ndata: {"type":"error","error":{"code":"server_error"}}\n\n',
			// A name the engine does not learn from is not parsed, whatever its data says; nor is a space required.
			'event: response.output_text.done\ndata: {"type":"error","text":"response.completed"}\n\n',
			'event:response.completed\ndata: {"type":"response.completed"}\n\n',
		].join(''),
	);
	for (const size of [1, 9, bytes.length]) {
		const {seen, passed} = await tap(slices(bytes, size));
		assert.deepEqual(seen, ['codex.rate_limits', 'error', 'response.completed'], `chunk size ${size}`);
		assert.ok(passed.equals(bytes));
	}
});

test('events are judged on the bytes of their name, across chunks: only those the engine learns from become text', async () => {
	const bytes = Buffer.from(stream);
	const original = Buffer.prototype.toString;
	let asText = 0;
	Buffer.prototype.toString = function (this: Buffer, ...args: Parameters<Buffer['toString']>) {
		asText++;
		return original.apply(this, args);
	};
	try {
		// 37-byte pieces: nearly every event is cut in two or more.
		const {seen} = await tap(slices(bytes, 37));
		assert.deepEqual(seen, ['response.output_item.done', 'response.completed']);
	} finally {
		Buffer.prototype.toString = original;
	}

	// response.output_item.done and response.completed: not response.created, none of the 50 deltas.
	assert.equal(asText, 2);
});

test('an event far larger than a chunk is read whole', async () => {
	const secret = 'é'.repeat(100_000);
	const bytes = Buffer.from(
		`event: response.output_item.done\ndata: {"type":"response.output_item.done","item":{"type":"reasoning","encrypted_content":"${secret}"}}\n\n`,
	);
	const items: string[] = [];
	const tapStream = new SseTap((event) =>
		items.push((event.item as {encrypted_content: string}).encrypted_content),
	);
	for (const piece of slices(bytes, 1000)) {
		tapStream.write(piece);
	}

	tapStream.end();
	tapStream.resume();
	await new Promise((resolve) => tapStream.on('end', resolve));
	assert.deepEqual(items, [secret]);
});

test('a run of CRs before a line end is read as data, without recursing once per CR', async () => {
	const bytes = Buffer.from(
		`event: response.completed\r\ndata: {"type":"response.completed"}${'\r'.repeat(50_000)}\n\n` +
			'event: error\r\ndata: {"type":"error"}\r\n\r\n',
	);
	const {seen, passed} = await tap([bytes]);
	// The old way re-read the rest once per CR and overflowed the stack; JSON takes the CRs as whitespace.
	assert.deepEqual(seen, ['response.completed', 'error']);
	assert.ok(passed.equals(bytes));
});
