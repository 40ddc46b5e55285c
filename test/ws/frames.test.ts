import assert from 'node:assert/strict';
import test from 'node:test';
import {bufferFrameType} from '../../source/core/ws/frames.ts';

test("a frame's type is read from its first bytes, and from the whole frame when it is not first", () => {
	const typeOf = (text: string) => bufferFrameType(Buffer.from(text));
	assert.equal(
		typeOf('{"type":"response.output_text.delta","delta":"\\"x\\""}'),
		'response.output_text.delta',
	);
	assert.equal(typeOf('{"type":"response.completed","response":{"id":"r"}}'), 'response.completed');
	assert.equal(typeOf('{"type":"codex.rate_limits","rate_limits":{}}'), 'codex.rate_limits');
	assert.equal(typeOf('{ "type" : "error", "status": 429}'), 'error');
	assert.equal(typeOf('{"delta":"x","type":"response.output_text.delta"}'), 'response.output_text.delta');
	// An escape in the type: read by parsing, not cut at the escaped quote.
	assert.equal(typeOf('{"type":"a\\"b","x":1}'), 'a"b');
	assert.equal(typeOf('{"type":"é.delta"}'), 'é.delta');
	assert.equal(typeOf('not json'), undefined);
	assert.equal(typeOf('{"delta":"no type"}'), undefined);
});
