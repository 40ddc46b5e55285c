import {setTimeout as delay} from 'node:timers/promises';
import {responsesEvent, sseEvent} from '../sse/frame.ts';
import type {SimulatedAccount} from './accounts.ts';
import {sealForAccount} from './encrypted.ts';
import type {FaultSpec} from './faults.ts';
import type {Exchange} from './http.ts';
import {MODELS_ETAG} from './models.ts';
import type {buildResponseFrames, ResponseUsage} from './response-events.ts';
import {batchFrames, writeWithBackpressure} from './sse.ts';
import type {UpstreamState} from './state.ts';
import {rateLimitHeaders, rateLimitsEvent} from './usage-report.ts';

/**
Writes one response as SSE: headers and `response.created` first, the rest in `streamChunks` writes, with the
stream faults (reset after the first byte, `response.failed`, a malformed event, a cut before completion).
*/
export async function streamResponse(
	state: UpstreamState,
	exchange: Exchange,
	owner: SimulatedAccount,
	frames: ReturnType<typeof buildResponseFrames>,
	usage: ResponseUsage,
	fault: FaultSpec['kind'] | undefined,
): Promise<void> {
	const {res} = exchange;
	exchange.entry.status = 200;
	res.writeHead(200, {
		'content-type': 'text/event-stream; charset=utf-8',
		'cache-control': 'no-cache',
		'x-request-id': frames.responseId.replace('resp_', 'req_'),
		'openai-model': frames.model,
		'x-models-etag': MODELS_ETAG,
		// Sticky routing within a turn: Codex echoes it on the turn's next request; it is account-bound too.
		'x-codex-turn-state': sealForAccount(owner.identity.accountId, 'turn-state', state.secret),
		...rateLimitHeaders(owner, exchange.entry.at, state.settings.idleUsedPercent),
	});
	if (fault === 'reset_after_first_byte') {
		res.write(frames.created, () => exchange.req.socket.destroy());
		return;
	}

	// Over HTTP the real backend may not send it (it is documented for WebSocket); off by default.
	const rateLimits = state.settings.rateLimitsEvent
		? responsesEvent(rateLimitsEvent(owner, exchange.entry.at, state.settings.idleUsedPercent))
		: '';
	res.write(rateLimits + frames.created);
	if (fault === 'response_failed_rate_limit') {
		res.end(
			frames.failed('rate_limit_exceeded', 'Rate limit reached for requests. Please try again in 1.5s.'),
		);
		return;
	}

	if (fault === 'response_failed_usage_limit') {
		// Output already on its way to the client, then the terminal usage-limit event.
		const headers = rateLimitHeaders(owner, exchange.entry.at, state.settings.idleUsedPercent);
		const visible = frames.body.slice(0, Math.max(1, Math.floor(frames.body.length / 2))).join('');
		res.end(
			visible +
				frames.failed('usage_limit_reached', 'The usage limit has been reached', {
					type: 'usage_limit_reached',
					resets_at: Number(headers['x-codex-primary-reset-at']),
					resets_in_seconds: Number(headers['x-codex-primary-reset-after-seconds']),
				}),
		);
		return;
	}

	const rest = [...frames.body];
	if (fault === 'malformed_sse') {
		rest.splice(
			Math.floor(rest.length / 2),
			0,
			sseEvent('{"type":"response.output_text.delta","delta":', 'response.output_text.delta'),
		);
	}

	if (fault !== 'stream_cut') {
		rest.push(frames.completed(usage));
	}

	const {streamChunks, chunkIntervalMs} = state.settings;
	for (const chunk of batchFrames(rest, streamChunks)) {
		if (res.destroyed) {
			return;
		}

		if (chunkIntervalMs > 0) {
			await delay(chunkIntervalMs);
		}

		await writeWithBackpressure(res, chunk);
	}

	res.end();
}
