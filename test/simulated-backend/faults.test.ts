import assert from 'node:assert/strict';
import {request} from 'node:http';
import {after, before, beforeEach, test} from 'node:test';
import {type FaultyUpstream, startFaultyUpstream} from '../helpers/faults.ts';
import {authHeaders, codexBody, completed, parseSse, postResponses, streamEvents} from './helpers.ts';

let upstream: FaultyUpstream;
before(async () => {
	upstream = await startFaultyUpstream({seed: 42, accounts: [{name: 'a'}, {name: 'b'}]});
});
after(() => upstream.close());
beforeEach(() => upstream.faults.clear());

/** A raw request, so cut connections are seen as what they are: the bytes received, then the error. */
function rawTurn(name: string): Promise<{status: number; body: string; error?: string}> {
	return new Promise((resolve) => {
		const url = new URL(`${upstream.backendUrl}/codex/responses`);
		const req = request(url, {
			method: 'POST',
			headers: {'content-type': 'application/json', ...authHeaders(upstream, name)},
		});
		req.on('response', (res) => {
			let body = '';
			res.setEncoding('utf8');
			res.on('data', (chunk: string) => {
				body += chunk;
			});
			res.on('end', () => resolve({status: res.statusCode ?? 0, body}));
			res.on('error', (error) => resolve({status: res.statusCode ?? 0, body, error: error.message}));
		});
		req.on('error', (error) => resolve({status: 0, body: '', error: error.message}));
		req.end(JSON.stringify(codexBody('fault me')));
	});
}

const errorOf = async (response: Response) =>
	((await response.json()) as {error: Record<string, unknown>}).error;

test('429 usage_limit_reached fault: the real body, headers at 100%, quota untouched', async () => {
	upstream.faults.inject({kind: 'usage_limit_reached', account: 'a'});
	const response = await postResponses(upstream, 'a', codexBody('x'));
	assert.equal(response.status, 429);
	assert.equal(response.headers.get('x-codex-primary-used-percent'), '100');
	const error = await errorOf(response);
	assert.equal(error.type, 'usage_limit_reached');
	assert.equal(typeof error.resets_at, 'number');
	assert.equal(typeof error.resets_in_seconds, 'number');
	assert.equal(upstream.accounts.quota('a').fiveHour?.isExhausted, false);
	assert.equal((await postResponses(upstream, 'a', codexBody('x'))).status, 200, 'fires once by default');
});

test('status faults: 429 rate_limit_exceeded, 503 server_is_overloaded, 500, 401, 400 invalid_encrypted_content', async () => {
	const cases = [
		['rate_limit_exceeded', 429, 'rate_limit_exceeded'],
		['server_is_overloaded', 503, 'server_is_overloaded'],
		['server_error', 500, null],
		['unauthorized', 401, 'token_expired'],
		['invalid_encrypted_content', 400, 'invalid_encrypted_content'],
	] as const;
	for (const [kind, status, code] of cases) {
		upstream.faults.inject({kind});
		const response = await postResponses(upstream, 'b', codexBody('x'));
		assert.equal(response.status, status, kind);
		assert.equal((await errorOf(response)).code, code, kind);
		assert.equal(upstream.log.at(-1)?.fault, kind);
	}
});

test('a fault for one account leaves the others alone; times counts uses', async () => {
	const handle = upstream.faults.inject({kind: 'server_error', account: 'a', times: 2});
	assert.equal((await postResponses(upstream, 'b', codexBody('x'))).status, 200);
	assert.equal((await postResponses(upstream, 'a', codexBody('x'))).status, 500);
	assert.equal((await postResponses(upstream, 'a', codexBody('x'))).status, 500);
	assert.equal((await postResponses(upstream, 'a', codexBody('x'))).status, 200);
	assert.equal(handle.fired(), 2);
	assert.equal(handle.remaining(), 0);
});

test('probabilistic faults follow the seed', async () => {
	const run = async () => {
		const local = await startFaultyUpstream({seed: 7, accounts: [{name: 'a'}]});
		local.faults.inject({kind: 'server_error', probability: 0.5});
		const statuses: number[] = [];
		for (let i = 0; i < 20; i++) {
			const response = await postResponses(local, 'a', codexBody('x'));
			statuses.push(response.status);
			await response.text();
		}

		await local.close();
		return statuses;
	};

	const first = await run();
	assert.deepEqual(await run(), first);
	const failures = first.filter((status) => status === 500).length;
	assert.ok(failures > 2 && failures < 18, `${failures} of 20`);
});

test('reset before the first byte: no status at all', async () => {
	upstream.faults.inject({kind: 'reset_before_first_byte'});
	const result = await rawTurn('a');
	assert.equal(result.status, 0);
	assert.ok(result.error);
	assert.equal(upstream.log.at(-1)?.status, 0);
});

test('reset after the first byte: 200 and response.created, then the connection dies', async () => {
	upstream.faults.inject({kind: 'reset_after_first_byte'});
	const result = await rawTurn('a');
	assert.equal(result.status, 200);
	assert.ok(result.error, 'the body ends with an error');
	assert.deepEqual(
		parseSse(result.body).map((e) => e.event),
		['response.created'],
	);
});

test('slow first byte: the answer comes after the delay', async () => {
	upstream.faults.inject({kind: 'slow_first_byte', delayMs: 150});
	const started = performance.now();
	const response = await postResponses(upstream, 'a', codexBody('x'));
	assert.ok(performance.now() - started >= 140);
	assert.ok(completed(await streamEvents(response)));
});

test('malformed SSE: one data line is not JSON, the stream still completes', async () => {
	upstream.faults.inject({kind: 'malformed_sse'});
	const text = await (await postResponses(upstream, 'a', codexBody('x'))).text();
	assert.throws(() => parseSse(text));
	assert.match(text, /event: response\.completed\n/);
});

test('stream cut: ends cleanly without response.completed', async () => {
	upstream.faults.inject({kind: 'stream_cut'});
	const result = await rawTurn('a');
	assert.equal(result.status, 200);
	assert.equal(result.error, undefined);
	const events = parseSse(result.body).map((e) => e.event);
	assert.ok(events.includes('response.output_item.done'));
	assert.ok(!events.includes('response.completed'));
});

test('response.failed with rate_limit_exceeded and "try again in 1.5s"', async () => {
	upstream.faults.inject({kind: 'response_failed_rate_limit'});
	const events = await streamEvents(await postResponses(upstream, 'a', codexBody('x')));
	const failed = events.find((e) => e.event === 'response.failed');
	assert.ok(failed);
	const {error} = failed.data.response as {error: {code: string; message: string}};
	assert.equal(error.code, 'rate_limit_exceeded');
	assert.match(error.message, /try again in 1\.5s/);
	assert.equal(events.at(-1)?.event, 'response.failed');
});

test('counts report every fault fired; unknown kinds are refused', () => {
	const counts = upstream.faults.counts();
	assert.equal(counts.stream_cut, 1);
	assert.equal(counts.server_error >= 2, true);
	assert.throws(() => upstream.faults.inject({kind: 'nope' as 'stream_cut'}), /Unknown fault kind/);
});
