import assert from 'node:assert/strict';
import test from 'node:test';
import {
	classifyHttpFailure,
	classifyTransportFailure,
	failsOver,
	parseRetryDelay,
} from '../../source/core/proxy/upstream-errors.ts';

const now = 1_763_790_000_000;
const body = (error: Record<string, unknown>) => JSON.stringify({error});

test('an upstream HTTP failure is sorted by status and body, and decides failover', () => {
	const cases: Array<[string, number, string, Record<string, unknown>, boolean]> = [
		[
			'usage limit with resets_at',
			429,
			body({
				type: 'usage_limit_reached',
				message: 'The usage limit has been reached',
				resets_at: 1_763_793_600,
			}),
			{kind: 'usage-limit', resetsAt: 1_763_793_600_000},
			true,
		],
		[
			'usage limit with resets_in_seconds',
			429,
			body({code: 'usage_limit_reached', message: 'limit', resets_in_seconds: 60}),
			{kind: 'usage-limit', resetsAt: now + 60_000},
			true,
		],
		[
			'usage limit without a reset',
			429,
			body({type: 'usage_limit_reached', message: 'x'}),
			{kind: 'usage-limit', resetsAt: undefined},
			true,
		],
		[
			'rate limit with a retry delay',
			429,
			body({type: 'rate_limit_exceeded', message: 'Rate limit reached. Please try again in 1.5s.'}),
			{kind: 'rate-limit', retryAfterMs: 1500},
			true,
		],
		['a bare 429', 429, 'Too Many Requests', {kind: 'rate-limit', retryAfterMs: undefined}, true],
		['401', 401, body({message: 'token expired'}), {kind: 'unauthorized', message: 'token expired'}, true],
		['500', 500, 'oops', {kind: 'server', status: 500, message: 'upstream answered 500'}, true],
		[
			'503 with detail',
			503,
			JSON.stringify({detail: 'overloaded'}),
			{kind: 'server', status: 503, message: 'overloaded'},
			true,
		],
		[
			'invalid encrypted content',
			400,
			body({code: 'invalid_encrypted_content', message: 'could not be verified'}),
			{kind: 'invalid-encrypted-content'},
			false,
		],
		[
			'a bad request',
			400,
			body({type: 'invalid_request_error', message: 'bad field'}),
			{kind: 'client-error', status: 400, message: 'bad field'},
			false,
		],
		['404', 404, '', {kind: 'client-error', status: 404}, false],
		['403', 403, body({message: 'forbidden'}), {kind: 'client-error', status: 403}, false],
	];
	for (const [name, status, text, expected, failover] of cases) {
		const failure = classifyHttpFailure(status, text, now);
		for (const [field, value] of Object.entries(expected)) {
			assert.deepEqual((failure as Record<string, unknown>)[field], value, `${name}: ${field}`);
		}

		assert.equal(failsOver(failure), failover, `${name}: failover`);
	}
});

test('a transport failure (no HTTP answer) is a timeout, a refused connection or a reset, and always fails over', () => {
	const error = (code: string | undefined) => Object.assign(new Error(`failed ${code}`), {code});
	const cases: Array<[unknown, string]> = [
		[error('UND_ERR_HEADERS_TIMEOUT'), 'timeout'],
		[error('UND_ERR_CONNECT_TIMEOUT'), 'timeout'],
		[error('UND_ERR_BODY_TIMEOUT'), 'timeout'],
		[error('ECONNREFUSED'), 'connect'],
		[error('ENOTFOUND'), 'connect'],
		[error('EAI_AGAIN'), 'connect'],
		[error('EHOSTUNREACH'), 'connect'],
		[error('ECONNRESET'), 'reset'],
		[error('UND_ERR_SOCKET'), 'reset'],
		[error(undefined), 'reset'],
		['a string thrown', 'reset'],
	];
	for (const [thrown, kind] of cases) {
		const failure = classifyTransportFailure(thrown);
		assert.equal(failure.kind, kind, String((thrown as {code?: string}).code ?? thrown));
		assert.equal(failsOver(failure), true);
	}
});

test('retry delays in the upstream message', () => {
	const cases: Array<[string, number | undefined]> = [
		['Please try again in 1.5s.', 1500],
		['try again in 250ms', 250],
		['Try again in 3 seconds', 3000],
		['try again in 2 sec', 2000],
		['try again later', undefined],
	];
	for (const [message, ms] of cases) {
		assert.equal(parseRetryDelay(message), ms, message);
	}
});
