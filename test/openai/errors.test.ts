import assert from 'node:assert/strict';
import {test} from 'node:test';
import {
	fromDispatchFailure,
	fromStreamFailure,
	OpenAiError,
	toOpenAiError,
} from '../../source/core/openai/errors.ts';

const failure = (status: number, error: Record<string, unknown>) =>
	fromDispatchFailure({ok: false, status, error: {type: 'x', message: 'm', ...error}}, 1_000_000_000_000);

test('an exhausted pool is a 429 that says when the earliest account resets', () => {
	const error = failure(429, {
		type: 'usage_limit_reached',
		message: 'The usage limit has been reached',
		resets_at: 1_000_003_600,
		resets_in_seconds: 3600,
	});
	assert.equal(error.status, 429);
	assert.deepEqual(error.toBody(), {
		error: {
			message:
				'Every account in the pool has reached its usage limit. The earliest account resets at 2001-09-09T02:46:40.000Z (resets_at 1000003600, in 3600 s).',
			type: 'usage_limit_reached',
			code: 'usage_limit_reached',
			param: null,
			resets_at: 1_000_003_600,
			resets_in_seconds: 3600,
		},
	});
	assert.deepEqual(error.headers, {'retry-after': '3600', 'x-should-retry': 'false'});
});

test('resets_in_seconds is computed from resets_at when missing', () => {
	const error = failure(429, {type: 'usage_limit_reached', resets_at: 1_000_000_060});
	assert.equal(error.extra.resets_in_seconds, 60);
	assert.equal(error.headers['x-should-retry'], 'true', 'a reset within a minute is worth the SDK retry');
});

test('upstream statuses map to the client statuses', () => {
	assert.equal(failure(429, {type: 'rate_limit_exceeded'}).type, 'rate_limit_error');
	assert.equal(failure(401, {}).status, 503);
	assert.equal(failure(400, {}).status, 400);
	assert.equal(failure(404, {}).status, 404);
	assert.equal(failure(500, {}).status, 502);
	assert.equal(failure(502, {}).status, 502);
	assert.equal(failure(503, {type: 'server_is_overloaded'}).status, 503);
	assert.equal(failure(504, {}).status, 504);
});

test('failures inside a stream map by code', () => {
	assert.equal(fromStreamFailure({code: 'rate_limit_exceeded', message: 'slow'}).status, 429);
	assert.equal(fromStreamFailure({code: 'context_length_exceeded'}).status, 400);
	assert.equal(fromStreamFailure({code: 'server_is_overloaded'}).status, 503);
	assert.equal(fromStreamFailure(undefined).status, 502);
});

test('unknown throws become a 500 in the OpenAI shape', () => {
	const error = toOpenAiError(new Error('boom'));
	assert.equal(error.status, 500);
	assert.match(String(error.toBody().error.message), /boom/);
	const kept = new OpenAiError(418, 'teapot');
	assert.equal(toOpenAiError(kept), kept);
});

test('an upstream 5xx whose message ends with a period is not followed by a second one', () => {
	assert.equal(
		failure(500, {type: 'server_error', message: 'Internal error.'}).message,
		'The upstream failed (500): Internal error. Try again shortly.',
	);
});

test("the pool's own verdicts pass through as they are, without blaming the upstream", () => {
	const error = failure(503, {
		type: 'no_usable_account',
		message: 'No account in the pool can take this request: x.',
	});
	assert.equal(error.status, 503);
	assert.equal(error.message, 'No account in the pool can take this request: x.');
	assert.equal(error.code, 'no_usable_account');
});
