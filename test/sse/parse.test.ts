import assert from 'node:assert/strict';
import {Readable} from 'node:stream';
import {test} from 'node:test';
import {createSseParser, eventData, parseSseText} from '../../source/core/sse/parse.ts';
import {readResponsesEvents, responsesEventsOf} from '../../source/core/sse/responses-events.ts';
import {chunked, fixture, fixtureEvents} from '../openai/helpers.ts';

test('a fixture split at every byte boundary parses to the same events', async () => {
	const whole = await fixtureEvents('text');
	const bytes = Buffer.from(fixture('text'));
	for (let cut = 1; cut < bytes.length; cut += 3) {
		const events = [];
		for await (const event of readResponsesEvents(
			Readable.from([bytes.subarray(0, cut), bytes.subarray(cut)]),
		)) {
			events.push(event);
		}

		assert.deepEqual(events, whole, `split at byte ${cut}`);
	}
});

test('one-byte chunks keep multi-byte characters whole', async () => {
	const events = [];
	for await (const event of readResponsesEvents(Readable.from(chunked(Buffer.from(fixture('text')), 3, 1)))) {
		events.push(event);
	}

	const text = events
		.filter((event) => event.type === 'response.output_text.delta')
		.map((event) => event.delta)
		.join('');
	assert.equal(text, 'Hello, wörld 🌍!');
});

test('the type comes from the json, falling back to the event line; comments and non-json are skipped', async () => {
	const events = await fixtureEvents('text');
	assert.equal(events[0]?.type, 'codex.rate_limits');
	assert.equal(events[1]?.type, 'response.created');
	const parser = createSseParser();
	const messages = parser.push('event: ping\ndata: {"n":1}\n\ndata: [DONE]\n\n');
	assert.deepEqual(messages, [
		{event: 'ping', data: '{"n":1}'},
		{event: undefined, data: '[DONE]'},
	]);
	const parsed = [];
	for await (const event of readResponsesEvents(
		Readable.from(['event: ping\ndata: {"n":1}\n\ndata: [DONE]\n\n']),
	)) {
		parsed.push(event);
	}

	assert.deepEqual(parsed, [{n: 1, type: 'ping'}]);
});

test('crlf and lone cr line endings, split between cr and lf', () => {
	const parser = createSseParser();
	assert.deepEqual(parser.push('data: a\r'), []);
	assert.deepEqual(parser.push('\n\r\ndata: b\r\rdata: c\n'), [
		{event: undefined, data: 'a'},
		{event: undefined, data: 'b'},
	]);
	assert.deepEqual(parser.end(), [{event: undefined, data: 'c'}]);
});

test('multi-line data is joined with newlines and a missing final blank line is flushed at the end', () => {
	const parser = createSseParser();
	assert.deepEqual(parser.push('data: one\ndata:two\ndata'), []);
	assert.deepEqual(parser.end(), [{event: undefined, data: 'one\ntwo\n'}]);
});

test('a whole text parses as its chunks do, and its Responses events as the stream reader reads them', async () => {
	const text = fixture('text');
	const parser = createSseParser();
	const chunkedMessages = [
		...chunked(Buffer.from(text), 5).flatMap((chunk) => parser.push(chunk)),
		...parser.end(),
	];
	assert.deepEqual(parseSseText(text), chunkedMessages);
	assert.deepEqual(responsesEventsOf(text), await fixtureEvents('text'));
});

test('eventData joins the data lines of one event and ignores the rest', () => {
	assert.equal(eventData('event: x\ndata: {"a":1}'), '{"a":1}');
	assert.equal(eventData('data:one\n: comment\ndata: two\nid: 3'), 'one\ntwo');
	assert.equal(eventData('event: x\n: nothing'), undefined);
	assert.equal(eventData('data: '), '');
});
