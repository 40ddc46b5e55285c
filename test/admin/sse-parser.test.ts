import assert from 'node:assert/strict';
import {test} from 'node:test';
import {SseParser} from '../../source/core/admin/sse-parser.ts';

test('events split across chunks anywhere come out whole', () => {
	const text =
		'event: state\ndata: {"a":1}\n\n: comment\n\nevent: notice\ndata: {"b":"é"}\r\n\r\ndata: x\ndata: y\n\n';
	const bytes = Buffer.from(text);
	for (let cut = 1; cut < bytes.length; cut++) {
		const parser = new SseParser();
		const events = [...parser.push(bytes.subarray(0, cut)), ...parser.push(bytes.subarray(cut))];
		assert.deepEqual(events, [
			{event: 'state', data: '{"a":1}'},
			{event: 'notice', data: '{"b":"é"}'},
			{event: 'message', data: 'x\ny'},
		]);
	}
});
