import assert from 'node:assert/strict';
import test from 'node:test';
import {createManualClock} from '../../source/core/clock.ts';
import {noMarks} from '../../source/core/model.ts';
import {createPool} from '../../source/core/pool/pool.ts';
import {UpstreamBody} from '../../source/core/proxy/upstream-body.ts';
import {type ResponseOutcome, watchResponse} from '../../source/core/proxy/watch.ts';
import {createIssuerRegistry} from '../../source/core/sessions/issuers.ts';
import {responsesEvent} from '../../source/core/sse/frame.ts';

const sse = (event: Record<string, unknown>) => responsesEvent({...event, type: String(event.type)});

function setup(events: readonly Record<string, unknown>[]) {
	const clock = createManualClock(1_800_000_000_000);
	const pool = createPool({
		clock,
		records: [
			{
				id: 'A',
				name: 'a',
				email: undefined,
				plan: 'plus',
				tokens: {idToken: 'i', accessToken: 'a', refreshToken: 'r', lastRefresh: undefined},
				marks: noMarks,
				needsLogin: undefined,
				addedAt: 0,
			},
		],
	});
	const issuers = createIssuerRegistry();
	let outcome: ResponseOutcome | undefined;
	// What undici's handler would do: deliver each chunk, then finish.
	const controller = {aborted: false, paused: false, reason: null, abort() {}, pause() {}, resume() {}};
	const source = new UpstreamBody(controller);
	const body = watchResponse({
		source,
		sse: true,
		accountId: 'A',
		issuers,
		pool,
		clock,
		onDone(result) {
			outcome = result;
		},
	});
	for (const event of events) {
		source.deliver(Buffer.from(sse(event)));
	}

	source.finish();
	return {pool, issuers, clock, body, outcome: () => outcome};
}

test('the watcher learns quota events, issuers and usage as the stream passes', async () => {
	const {pool, issuers, body, outcome} = setup([
		{
			type: 'codex.rate_limits',
			rate_limits: {
				primary: {used_percent: 42, window_minutes: 300, reset_at: 1_800_003_600},
				secondary: null,
			},
		},
		{type: 'response.created'},
		{type: 'response.output_item.done', item: {type: 'reasoning', encrypted_content: 'cipher-1'}},
		{
			type: 'response.completed',
			response: {usage: {input_tokens: 10, input_tokens_details: {cached_tokens: 4}, output_tokens: 3}},
		},
	]);
	for await (const _chunk of body.toReadable()) {
		// Drain.
	}

	assert.equal(pool.get('A')?.quota?.fiveHour?.usedPercent, 42);
	assert.equal(issuers.issuerOf('cipher-1'), 'A');
	assert.deepEqual(outcome()?.usage, {inputTokens: 10, cachedTokens: 4, outputTokens: 3});
	assert.equal(outcome()?.error, undefined);
});

test('a response.failed rate limit after the first byte cools the account for the delay it names', async () => {
	const {pool, clock, body, outcome} = setup([
		{type: 'response.created'},
		{
			type: 'response.failed',
			response: {
				error: {code: 'rate_limit_exceeded', message: 'Rate limit reached. Please try again in 1.5s.'},
			},
		},
	]);
	for await (const _chunk of body.toReadable()) {
		// Drain.
	}

	assert.deepEqual(pool.get('A')?.health, {
		status: 'cooling',
		until: clock.now() + 1500,
		reason: 'rate-limit',
	});
	assert.match(outcome()?.error ?? '', /rate_limit_exceeded/);
});

test('a stream that ends before response.completed is reported, and the client gets a response.failed event', async () => {
	const {body, outcome} = setup([{type: 'response.created'}]);
	let text = '';
	for await (const chunk of body.toReadable()) {
		text += String(chunk);
	}

	assert.match(outcome()?.error ?? '', /before response.completed/);
	assert.match(text, /event: response.failed\ndata: .*upstream_stream_broken/);
});
