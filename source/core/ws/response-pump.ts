import type WebSocket from 'ws';
import type {Clock} from '../clock.ts';
import {isUsageLimitError, markExhausted, resetOfError} from '../pool/exhaustion.ts';
import type {Pool} from '../pool/pool.ts';
import {classifyHttpFailure, parseRetryDelay, type UpstreamFailure} from '../proxy/upstream-errors.ts';
import {parseQuotaHeaders, parseRateLimitsEvent} from '../quota/index.ts';
import type {IssuerRegistry} from '../sessions/issuers.ts';
import type {TurnUsage} from '../sessions/registry.ts';
import {bufferFrameType, parseFrame} from './frames.ts';
import {recordFrameTurnState} from './turn-state.ts';

/** How one upstream response ended, as the relay acts on it. */
export type PumpResult =
	| {
			readonly kind: 'completed';
			readonly responseId: string;
			/** The response's output items (`response.output_item.done`), as JSON texts. */
			readonly output: readonly string[];
			readonly usage: TurnUsage | undefined;
	  }
	/**
	Nothing of the answer reached the client (at most its `response.created`): the request may go again, on
	another account (`failure` says why this one failed) or on a new socket to the same one (`reopen`).
	*/
	| {
			readonly kind: 'retry';
			readonly failure: UpstreamFailure | undefined;
			readonly reopen: boolean;
			readonly reason: string;
	  }
	/** The response ended otherwise (failed, incomplete, an error, a break after output): the client saw how. */
	| {readonly kind: 'ended'; readonly error: string | undefined; readonly brokenAfterOutput: boolean};

export type PumpOptions = {
	readonly upstream: WebSocket;
	readonly accountId: string;
	readonly pool: Pool;
	readonly issuers: IssuerRegistry;
	readonly clock: Clock;
	/**
	Sends a frame to the client: the upstream's bytes as they came (a text frame), or a text; `type` is the
	frame's event type when known.
	*/
	readonly toClient: (frame: Buffer | string, type: string | undefined) => void;
	/** A response.created already reached the client in an earlier attempt of this request: hide this one's. */
	readonly createdSent: boolean;
	/** Resolves the pump early (the client went away). */
	readonly signal: AbortSignal;
};

/** Frames that start a response without any of its content. */
const OPENING = new Set(['response.created', 'response.in_progress']);
/**
Frames that carry no output, held until the response opens (a retry elsewhere drops them with the rest): the
backend's `codex.*` frames (other pools saw them before `response.created`) and `response.metadata`, whose
turn state Codex adopts (turn-state.ts), so a failed attempt's must not reach it.
*/
const PRELUDE = new Set(['codex.rate_limits', 'codex.response.metadata', 'response.metadata']);
/** The frames the pump reads beyond their type; every other one passes through without being parsed. */
const PARSED = new Set([
	'error',
	'response.failed',
	'response.incomplete',
	'response.output_item.done',
	'response.completed',
]);
const USAGE_LIMIT_CODES = new Set(['usage_limit_reached', 'insufficient_quota']);

type ErrorLike = {code?: unknown; type?: unknown; message?: unknown};

/**
Relays one upstream response to the client frame by frame, learning from it what the HTTP path learns from an
SSE stream (quota, usage, who issued each encrypted item, an account's exhaustion), and decides whether it
may still be replayed: until output starts, an exhausted account, a refused token, a connection-age limit or
a closed socket is hidden from the client and the request goes again.
*/
export function pumpResponse(options: PumpOptions): Promise<PumpResult> {
	const {upstream, accountId, pool, issuers, clock, toClient} = options;
	const output: string[] = [];
	// Prelude frames wait for the response to open: a retry elsewhere drops them with the rest.
	const held: {frame: Buffer; type: string}[] = [];
	let opened = options.createdSent;
	let outputStarted = false;

	return new Promise((resolve) => {
		const finish = (result: PumpResult) => {
			upstream.off('message', onMessage);
			upstream.off('close', onClose);
			options.signal.removeEventListener('abort', onAbort);
			resolve(result);
		};

		const forward = (frame: Buffer, type: string | undefined) => {
			if (!opened) {
				opened = true;
				for (const prelude of held.splice(0)) {
					toClient(prelude.frame, prelude.type);
				}
			}

			toClient(frame, type);
		};

		const onError = (event: Record<string, unknown>, frame: Buffer) => {
			const headers = event.headers;
			if (typeof headers === 'object' && headers !== null) {
				const quota = parseQuotaHeaders(headers as Record<string, string>, clock.now());
				if (quota !== undefined) {
					pool.observeQuota(accountId, quota);
				}
			}

			const error = (event.error ?? {}) as ErrorLike;
			const code = typeof error.code === 'string' ? error.code : undefined;
			if (code === 'websocket_connection_limit_reached' || code === 'previous_response_not_found') {
				if (!outputStarted) {
					finish({kind: 'retry', failure: undefined, reopen: true, reason: code});
					return;
				}
			}

			const status = typeof event.status === 'number' ? event.status : Number(event.status_code);
			if (Number.isFinite(status) && status >= 400) {
				const failure = classifyHttpFailure(status, JSON.stringify({error}), clock.now());
				const replayable = [
					'usage-limit',
					'rate-limit',
					'server',
					'unauthorized',
					'invalid-encrypted-content',
				].includes(failure.kind);
				if (replayable && !outputStarted) {
					finish({kind: 'retry', failure, reopen: failure.kind === 'unauthorized', reason: failure.message});
					return;
				}

				// Too late to replay: the frame goes to the client, and the account rests like any exhausted one.
				if (failure.kind === 'usage-limit') {
					markExhausted(pool, accountId, failure.resetsAt, clock.now());
				}
			}

			forward(frame, 'error');
			finish({
				kind: 'ended',
				error: `${code ?? 'error'}: ${String(error.message ?? '')}`,
				brokenAfterOutput: false,
			});
		};

		const onFailed = (event: Record<string, unknown>, frame: Buffer, type: string) => {
			const error = ((event.response as {error?: ErrorLike} | undefined)?.error ?? {}) as ErrorLike;
			const code = typeof error.code === 'string' ? error.code : String(event.type);
			const message = typeof error.message === 'string' ? error.message : code;
			if (USAGE_LIMIT_CODES.has(code) || isUsageLimitError(error)) {
				const resetsAt = resetOfError(error, clock.now());
				if (!outputStarted) {
					finish({
						kind: 'retry',
						failure: {kind: 'usage-limit', resetsAt, message},
						reopen: false,
						reason: message,
					});
					return;
				}

				// The one path every sign of exhaustion takes (pool/exhaustion.ts), HTTP and WebSocket alike.
				markExhausted(pool, accountId, resetsAt, clock.now());
			} else if (code === 'rate_limit_exceeded') {
				pool.markCooling(accountId, clock.now() + (parseRetryDelay(message) ?? 10_000), 'rate-limit');
			}

			forward(frame, type);
			finish({kind: 'ended', error: `${code}: ${message}`, brokenAfterOutput: false});
		};

		// Frames go to the client as the upstream's bytes, untouched; only the few that carry what the pool
		// learns from (quota, errors, output items, the response's id and usage) are decoded and parsed.
		const onMessage = (data: WebSocket.RawData, isBinary: boolean) => {
			if (isBinary || !Buffer.isBuffer(data)) {
				return;
			}

			const type = bufferFrameType(data);
			if (type === undefined || type.endsWith('.delta')) {
				outputStarted ||= type !== undefined;
				forward(data, type);
				return;
			}

			if (PRELUDE.has(type)) {
				if (type === 'codex.rate_limits') {
					const quota = parseRateLimitsEvent(parseFrame(data.toString()), clock.now());
					if (quota !== undefined) {
						pool.observeQuota(accountId, quota);
					}
				} else {
					recordFrameTurnState(parseFrame(data.toString()) ?? {}, accountId, issuers);
				}

				if (opened) {
					toClient(data, type);
				} else {
					held.push({frame: data, type});
				}

				return;
			}

			if (OPENING.has(type)) {
				if (options.createdSent) {
					return;
				}

				forward(data, type);
				return;
			}

			if (!PARSED.has(type)) {
				outputStarted = true;
				forward(data, type);
				return;
			}

			const event = parseFrame(data.toString()) ?? {};
			switch (type) {
				case 'error': {
					onError(event, data);
					return;
				}

				case 'response.failed':
				case 'response.incomplete': {
					onFailed(event, data, type);
					return;
				}

				case 'response.output_item.done': {
					const item = event.item as {encrypted_content?: unknown} | undefined;
					if (typeof item?.encrypted_content === 'string' && item.encrypted_content !== '') {
						issuers.record(accountId, item.encrypted_content);
					}

					output.push(JSON.stringify(item));
					break;
				}

				case 'response.completed': {
					outputStarted = true;
					forward(data, type);
					const response = event.response as {id?: unknown; usage?: Record<string, unknown>} | undefined;
					finish({
						kind: 'completed',
						responseId: typeof response?.id === 'string' ? response.id : '',
						output,
						usage: usageOf(response?.usage),
					});
					return;
				}

				default:
			}

			outputStarted = true;
			forward(data, type);
		};

		const onClose = (code: number) => {
			if (!outputStarted) {
				finish({kind: 'retry', failure: undefined, reopen: true, reason: `upstream socket closed (${code})`});
				return;
			}

			finish({
				kind: 'ended',
				error: `the upstream socket closed (${code}) before response.completed`,
				brokenAfterOutput: true,
			});
		};

		const onAbort = () => {
			finish({
				kind: 'ended',
				error: 'the client went away before the response ended',
				brokenAfterOutput: false,
			});
		};

		upstream.on('message', onMessage);
		upstream.once('close', onClose);
		options.signal.addEventListener('abort', onAbort, {once: true});
	});
}

function usageOf(usage: Record<string, unknown> | undefined): TurnUsage | undefined {
	if (typeof usage !== 'object' || usage === null) {
		return undefined;
	}

	const number = (value: unknown) => (typeof value === 'number' ? value : 0);
	return {
		inputTokens: number(usage.input_tokens),
		cachedTokens: number((usage.input_tokens_details as Record<string, unknown> | undefined)?.cached_tokens),
		outputTokens: number(usage.output_tokens),
	};
}
