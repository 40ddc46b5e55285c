import assert from 'node:assert/strict';
import {test} from 'node:test';
import {EVENT_END, responsesEvent, sseComment, sseEvent} from '../../source/core/sse/frame.ts';
import {parseSseText} from '../../source/core/sse/parse.ts';

test('sseEvent writes named and unnamed events; a string is taken as already serialised', () => {
	assert.equal(sseEvent({a: 1}, 'x'), 'event: x\ndata: {"a":1}\n\n');
	assert.equal(sseEvent('[DONE]'), 'data: [DONE]\n\n');
	assert.equal(
		responsesEvent({type: 'response.created', n: 1}),
		'event: response.created\ndata: {"type":"response.created","n":1}\n\n',
	);
});

test('a payload with line breaks becomes one data line per line, and reads back whole', () => {
	const frame = sseEvent('first\nsecond\n', 'note');
	assert.equal(frame, 'event: note\ndata: first\ndata: second\ndata: \n\n');
	assert.deepEqual(parseSseText(frame), [{event: 'note', data: 'first\nsecond\n'}]);
});

test('what the framing writes, the parser reads, comments skipped', () => {
	const events = [
		{type: 'response.output_text.delta', delta: 'wörld 🌍'},
		{type: 'response.completed', response: {usage: null}},
	];
	const text = sseComment('keep-alive') + events.map(responsesEvent).join('') + sseEvent('[DONE]');
	assert.ok(text.endsWith(EVENT_END));
	assert.deepEqual(parseSseText(text), [
		...events.map((event) => ({event: event.type, data: JSON.stringify(event)})),
		{event: undefined, data: '[DONE]'},
	]);
});
