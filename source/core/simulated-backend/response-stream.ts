import {setTimeout as delay} from 'node:timers/promises';
import {responsesEvent} from '../sse/frame.ts';
import type {SimulatedAccount} from './accounts.ts';
import {sealForAccount} from './encrypted.ts';
import type {Exchange} from './http.ts';
import {type Interception, type PlannedStream, plainStream} from './intercept.ts';
import {MODELS_ETAG} from './models.ts';
import type {buildResponseFrames, ResponseUsage} from './response-events.ts';
import {batchFrames, writeWithBackpressure} from './sse.ts';
import type {UpstreamState} from './state.ts';
import {rateLimitHeaders, rateLimitsEvent} from './usage-report.ts';

/**
Writes one response as SSE: headers and `response.created` first, the rest in `streamChunks` writes. An
interceptor (see intercept.ts) may rewrite the stream: end it early, fail it, cut the connection.
*/
export async function streamResponse(
	state: UpstreamState,
	exchange: Exchange,
	owner: SimulatedAccount,
	frames: ReturnType<typeof buildResponseFrames>,
	usage: ResponseUsage,
	rewrite: Interception['stream'],
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
	// Over HTTP the real backend may not send it (it is documented for WebSocket); off by default.
	const rateLimits = state.settings.rateLimitsEvent
		? responsesEvent(rateLimitsEvent(owner, exchange.entry.at, state.settings.idleUsedPercent))
		: '';
	const planned: PlannedStream = {
		head: rateLimits + frames.created,
		body: frames.body,
		completed: frames.completed(usage),
		failed: frames.failed,
	};
	const plan = rewrite === undefined ? plainStream(planned) : rewrite(planned);
	const cut = () => exchange.req.socket.destroy();
	if (plan.rest.length === 0 && plan.ending === 'reset') {
		res.write(plan.head, cut);
		return;
	}

	res.write(plan.head);
	const {streamChunks, chunkIntervalMs} = state.settings;
	for (const chunk of plan.rest.length === 0 ? [] : batchFrames(plan.rest, streamChunks)) {
		if (res.destroyed) {
			return;
		}

		if (chunkIntervalMs > 0) {
			await delay(chunkIntervalMs);
		}

		await writeWithBackpressure(res, chunk);
	}

	if (plan.ending === 'reset') {
		cut();
	} else {
		res.end();
	}
}
