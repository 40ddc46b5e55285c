import {setTimeout as delay} from 'node:timers/promises';
import {type RawData, WebSocket} from 'ws';
import type {SimulatedAccount} from './accounts.ts';
import {interceptedAs} from './apply-intercept.ts';
import {foreignEncryptedItem, invalidEncryptedContentBody} from './encrypted.ts';
import {HttpError, type LoggedRequest} from './http.ts';
import {reportWindow, setWindowPercent} from './quota.ts';
import {inputItems} from './reply.ts';
import {buildResponseFrames, type ResponseUsage} from './response-events.ts';
import {checkStrict, meter, outputChars, planResponse} from './responses.ts';
import type {UpstreamState} from './state.ts';
import {rateLimitsEvent} from './usage-report.ts';
import {
	connectionLimitFrame,
	errorFrame,
	previousResponseNotFoundFrame,
	responseFrames,
	sseToJson,
	statusErrorFrame,
	usageLimitFrame,
} from './ws-frames.ts';
import type {WebSocketHub, WsBehaviourSpec, WsConnectionRecord, WsRequestRecord} from './ws-hub.ts';
import {interceptBeforeFrames, interceptStream} from './ws-intercept.ts';

type Item = Record<string, unknown>;

/**
The latest completed response of a connection, which is all the backend keeps (websocket.md "The backend's
side"): its id, the whole input it answered, and its output items, so a request naming it with
previous_response_id continues the conversation. `bytes` approximates the JSON of input + output, so a
continued request is metered as the same request over HTTP would be.
*/
type Held = {readonly id: string; readonly input: Item[]; readonly output: Item[]; readonly bytes: number};

const ZERO_USAGE: ResponseUsage = {
	input_tokens: 0,
	input_tokens_details: {cached_tokens: 0},
	output_tokens: 0,
	output_tokens_details: {reasoning_tokens: 0},
	total_tokens: 0,
};

const MIDSTREAM_BEHAVIOURS = new Set<WsBehaviourSpec['kind']>([
	'stream_cut',
	'close_1011',
	'usage_limit_midstream',
	'usage_limit_frame_midstream',
]);

const rawText = (data: RawData) =>
	Array.isArray(data)
		? Buffer.concat(data).toString('utf8')
		: Buffer.from(data as ArrayBuffer).toString('utf8');

const rawLength = (data: RawData) =>
	Array.isArray(data)
		? data.reduce((sum, chunk) => sum + chunk.length, 0)
		: (data as ArrayBuffer | Buffer).byteLength;

/** Serves one accepted connection: one `response.create` at a time, in the order they arrive. */
export function runWebSocketSession(
	state: UpstreamState,
	hub: WebSocketHub,
	ws: WebSocket,
	account: SimulatedAccount,
	record: WsConnectionRecord,
	authorization: string | undefined,
): void {
	let held: Held | undefined;
	let queue = Promise.resolve();
	const send = (json: string) => {
		if (ws.readyState === WebSocket.OPEN) {
			ws.send(json);
		}
	};

	/** Sends frames in `streamChunks` groups, `chunkIntervalMs` apart, waiting for each group to be written. */
	const sendAll = async (frames: readonly string[]) => {
		const {streamChunks, chunkIntervalMs} = state.settings;
		const size = Math.max(1, streamChunks <= 1 ? frames.length : Math.ceil(frames.length / streamChunks));
		for (let start = 0; start < frames.length; start += size) {
			if (start > 0 && chunkIntervalMs > 0) {
				await delay(chunkIntervalMs);
			}

			if (ws.readyState !== WebSocket.OPEN) {
				return;
			}

			const group = frames.slice(start, start + size);
			for (const json of group.slice(0, -1)) {
				ws.send(json);
			}

			// The last frame's callback fires once it is written: backpressure per group.
			await new Promise<void>((resolve) => ws.send(group.at(-1) as string, () => resolve()));
		}
	};

	const handle = async (text: string, bytes: number) => {
		let body: Record<string, unknown>;
		try {
			body = JSON.parse(text) as Record<string, unknown>;
		} catch {
			return send(errorFrame(400, {type: 'invalid_request_error', message: 'The frame is not valid JSON.'}));
		}

		if (typeof body !== 'object' || body === null || Array.isArray(body)) {
			return send(
				errorFrame(400, {type: 'invalid_request_error', message: 'The frame must be a JSON object.'}),
			);
		}

		if (body.type === 'response.processed') {
			return; // Codex acknowledges a response it has handled; nothing to answer.
		}

		if (body.type !== 'response.create') {
			return send(
				errorFrame(400, {
					type: 'invalid_request_error',
					message: `Unsupported message type: ${String(body.type)}`,
				}),
			);
		}

		const now = state.clock.now();
		const items = inputItems(body);
		const itemBytes = Buffer.byteLength(JSON.stringify(items));
		const previousId = typeof body.previous_response_id === 'string' ? body.previous_response_id : undefined;
		const request: WsRequestRecord = {
			at: now,
			bytes,
			inputBytes: itemBytes,
			generate: body.generate !== false,
			previousResponseId: previousId,
			items: items.length,
			fullItems: items.length,
			responseId: undefined,
			outcome: 'pending',
			status: undefined,
			errorCode: undefined,
		};
		record.requests.push(request);
		const entry = logFrame(state, record, body, bytes);
		const fail = (frame: string) => {
			const parsed = JSON.parse(frame) as {status: number; error: {code?: string; type?: string}};
			request.outcome = 'error';
			request.status = parsed.status;
			request.errorCode = parsed.error.code ?? parsed.error.type;
			entry.status = parsed.status;
			send(frame);
		};

		const behaviour = request.generate
			? hub.take({name: account.name, accountId: account.identity.accountId})
			: undefined;
		if (behaviour) {
			entry.fault = `ws:${behaviour.kind}`;
		}

		if (now - record.openedAt >= hub.api.connectionLimitMs || behaviour?.kind === 'connection_limit') {
			fail(connectionLimitFrame());
			ws.close(1000, 'connection limit reached');
			return;
		}

		if (hub.api.checkTokenPerRequest && !state.registry.checkAccess(authorization).ok) {
			return fail(statusErrorFrame(401));
		}

		if (state.settings.strict) {
			try {
				checkStrict(body, false);
			} catch (error) {
				if (!(error instanceof HttpError)) {
					throw error;
				}

				const {detail} = error.body as {detail?: string};
				return fail(
					errorFrame(error.status, {type: 'invalid_request_error', message: detail ?? 'Invalid request'}),
				);
			}
		}

		if (behaviour?.kind === 'forget') {
			held = undefined;
		}

		if (previousId !== undefined && held?.id !== previousId) {
			return fail(previousResponseNotFoundFrame(previousId));
		}

		const base = previousId !== undefined && held ? held : undefined;
		const input = base ? [...base.input, ...base.output, ...items] : items;
		const conversationBytes = (base?.bytes ?? 0) + itemBytes;
		request.fullItems = input.length;
		const model = typeof body.model === 'string' ? body.model : 'gpt-5.5';
		const answer = (events: readonly string[]) =>
			responseFrames(rateLimitsEvent(account, state.clock.now(), state.settings.idleUsedPercent), events, {
				turnState: record.turnStates.responses,
				model,
			});

		if (!request.generate) {
			// A warm-up: created and completed, nothing generated, no quota used; the next request chains from it.
			const frames = buildResponseFrames({model, createdAt: Math.floor(now / 1000)});
			await sendAll(answer([sseToJson(frames.created), sseToJson(frames.completed(ZERO_USAGE))]));
			held = {id: frames.responseId, input, output: [], bytes: conversationBytes};
			request.responseId = frames.responseId;
			request.outcome = 'completed';
			entry.status = 200;
			return;
		}

		if (behaviour?.kind === 'error_frame') {
			return fail(statusErrorFrame(behaviour.status ?? 500));
		}

		// The faults of the intercept hook (test/helpers/faults.ts) strike here as on POST (ws-intercept.ts).
		const interception = state.intercept?.(interceptedAs(state, account, 'responses'));
		if (interception !== undefined) {
			entry.fault = interception.label;
			if (interception.delayMs !== undefined) {
				await delay(interception.delayMs);
			}

			const before = interceptBeforeFrames(interception);
			if (before?.kind === 'error') {
				return fail(before.frame);
			}

			if (before?.kind === 'reset') {
				request.outcome = 'cut';
				ws.terminate();
				return;
			}
		}

		if (behaviour?.kind === 'usage_limit_frame') {
			setWindowPercent(account.windows.fiveHour ?? account.windows.weekly, 100, now);
		}

		const limit = usageLimitFrame(state, account, now);
		if (limit) {
			return fail(limit);
		}

		if (foreignEncryptedItem(input, account.identity.accountId, state.secret) !== undefined) {
			return fail(errorFrame(400, invalidEncryptedContentBody.error));
		}

		const fullBody = {...body, input};
		const plan = planResponse(state, account, fullBody);
		const frames = buildResponseFrames(plan);
		// The HTTP body would lack `"type":"response.create",` (25 bytes) and `"previous_response_id":"…",`.
		const frameOnly = 25 + (previousId === undefined ? 0 : Buffer.byteLength(previousId) + 26);
		const inputBytes = bytes - frameOnly - itemBytes + conversationBytes;
		const usage = meter(state, now, account, fullBody, inputBytes, outputChars(plan));
		request.responseId = frames.responseId;
		entry.status = 200;
		const events = answer([sseToJson(frames.created), ...frames.body.map(sseToJson)]);
		if (behaviour && MIDSTREAM_BEHAVIOURS.has(behaviour.kind)) {
			await sendAll(events.slice(0, 3 + Math.floor(frames.body.length / 2)));
			return breakStream(behaviour.kind);
		}

		const completed = sseToJson(frames.completed(usage));
		let outgoing = [...events, completed];
		if (interception?.stream !== undefined) {
			const planned = {head: frames.created, body: frames.body, completed: frames.completed(usage)};
			const plan = interceptStream(interception.stream, {...planned, failed: frames.failed});
			if (plan.kind === 'stream' && plan.ending !== 'completed') {
				await sendAll(answer(plan.frames));
				request.outcome = plan.ending === 'terminal' ? 'failed' : 'cut';
				if (plan.ending === 'reset') {
					ws.terminate();
				} else if (plan.ending === 'close') {
					ws.close(1011, 'stream ended');
				}

				return;
			}

			outgoing = answer(plan.kind === 'stream' ? plan.frames : []);
		}

		await sendAll(outgoing);
		const output = (JSON.parse(completed) as {response: {output: Item[]}}).response.output;
		held = {
			id: frames.responseId,
			input,
			output,
			bytes: conversationBytes + Buffer.byteLength(JSON.stringify(output)),
		};
		request.outcome = 'completed';

		function breakStream(kind: WsBehaviourSpec['kind']) {
			if (kind === 'stream_cut') {
				request.outcome = 'cut';
				ws.terminate();
				return;
			}

			if (kind === 'close_1011') {
				request.outcome = 'closed';
				ws.close(1011, 'keepalive ping timeout');
				return;
			}

			const window = account.windows.fiveHour ?? account.windows.weekly;
			setWindowPercent(window, 100, now);
			if (kind === 'usage_limit_frame_midstream') {
				const limit = usageLimitFrame(state, account, now);
				return limit === undefined ? undefined : fail(limit);
			}

			// The third way exhaustion shows (opencodex #3795): a terminal event in the middle of the stream.
			const failed = JSON.parse(
				sseToJson(frames.failed('usage_limit_reached', 'The usage limit has been reached')),
			);
			failed.response.error = {
				type: 'usage_limit_reached',
				code: 'usage_limit_reached',
				message: 'The usage limit has been reached',
				...(behaviour?.withoutReset
					? {}
					: {resets_at: reportWindow(window, now, state.settings.idleUsedPercent).resetAt}),
			};
			request.outcome = 'failed';
			send(JSON.stringify(failed));
		}
	};

	ws.on('message', (data, isBinary) => {
		const bytes = rawLength(data);
		record.framesReceived++;
		record.bytesReceived += bytes;
		if (isBinary) {
			send(errorFrame(400, {type: 'invalid_request_error', message: 'Binary frames are not supported.'}));
			return;
		}

		const text = rawText(data);
		queue = queue
			.then(() => handle(text, bytes))
			.catch((error: unknown) => {
				send(errorFrame(500, {type: 'server_error', message: `Simulated upstream bug: ${String(error)}`}));
			});
	});
	ws.on('close', (code) => {
		record.closedAt = state.clock.now();
		record.closeCode = code;
	});
	ws.on('error', () => {
		// A client that vanished; 'close' follows and records it.
	});
}

/**
Each `response.create` also goes into `upstream.log` as method `WS`, so a test sees one list of model requests.
Its headers are the handshake's, overridden by the frame's own `client_metadata` (where a client puts what is
per request over WebSocket).
*/
function logFrame(
	state: UpstreamState,
	record: WsConnectionRecord,
	body: Record<string, unknown>,
	bytes: number,
): LoggedRequest {
	const metadata = body.client_metadata;
	const own =
		typeof metadata === 'object' && metadata !== null
			? Object.fromEntries(Object.entries(metadata).filter(([, value]) => typeof value === 'string'))
			: {};
	const entry: LoggedRequest = {
		seq: (state.log.at(-1)?.seq ?? 0) + 1,
		at: state.clock.now(),
		method: 'WS',
		path: '/backend-api/codex/responses',
		headers: {...record.headers, ...own},
		status: 0,
		bodyBytes: bytes,
		account: record.account,
		...(state.logBodies ? {body} : {}),
	};
	state.log.push(entry);
	if (state.log.length > state.logLimit) {
		state.log.splice(0, state.log.length - state.logLimit);
	}

	return entry;
}
