import type {Clock} from '../clock.ts';
import {isUsageLimitError, markExhausted, resetOfError} from '../pool/exhaustion.ts';
import type {Pool} from '../pool/pool.ts';
import {parseRateLimitsEvent} from '../quota/index.ts';
import type {IssuerRegistry} from '../sessions/issuers.ts';
import type {TurnUsage} from '../sessions/registry.ts';
import {recordFrameTurnState} from '../sessions/turn-state-issuers.ts';
import {responsesEvent} from '../sse/frame.ts';
import type {DispatchBody} from './dispatch-types.ts';
import {SseScanner} from './sse-tap.ts';
import type {UpstreamBody} from './upstream-body.ts';
import {parseRetryDelay} from './upstream-errors.ts';

export type ResponseOutcome = {
	readonly usage: TurnUsage | undefined;
	/** performance.now() when the first chunk went by. */
	readonly firstByteAt: number | undefined;
	/** What went wrong, in words, when the response did not end well. */
	readonly error: string | undefined;
};

/** Largest unary (JSON) body inspected for encrypted items; a larger one passes through unread. */
const MAX_JSON_BYTES = 32 * 1024 * 1024;

function recordItem(item: unknown, accountId: string, issuers: IssuerRegistry): void {
	const encrypted = (item as {encrypted_content?: unknown} | null)?.encrypted_content;
	if (typeof encrypted === 'string' && encrypted !== '') {
		issuers.record(accountId, encrypted);
	}
}

function usageOf(response: unknown): TurnUsage | undefined {
	const usage = (response as {usage?: Record<string, unknown>} | null)?.usage;
	if (typeof usage !== 'object' || usage === null) {
		return undefined;
	}

	const number = (value: unknown) => (typeof value === 'number' ? value : 0);
	const reasoning = (usage.output_tokens_details as Record<string, unknown> | undefined)?.reasoning_tokens;
	return {
		inputTokens: number(usage.input_tokens),
		cachedTokens: number((usage.input_tokens_details as Record<string, unknown> | undefined)?.cached_tokens),
		outputTokens: number(usage.output_tokens),
		...(typeof reasoning === 'number' ? {reasoningTokens: reasoning} : {}),
	};
}

/**
Wraps an upstream body on its way to the client: records who issued each encrypted item and turn state, the turn's usage,
`codex.rate_limits` quota and a `response.failed` verdict on the account, and reports once when the body
ends, breaks or is abandoned. Bytes pass unchanged.
*/
export function watchResponse(options: {
	source: UpstreamBody;
	sse: boolean;
	accountId: string;
	issuers: IssuerRegistry;
	pool: Pool;
	clock: Clock;
	onDone: (outcome: ResponseOutcome) => void;
}): DispatchBody {
	const {source, accountId, issuers, pool, clock} = options;
	let usage: TurnUsage | undefined;
	let completed = false;
	let failure: string | undefined;
	let firstByteAt: number | undefined;
	let reported = false;
	let sawItems = false;

	const onEvent = (event: Record<string, unknown>) => {
		switch (event.type) {
			case 'response.output_item.done': {
				sawItems = true;
				recordItem(event.item, accountId, issuers);
				break;
			}

			case 'response.completed': {
				completed = true;
				usage = usageOf(event.response);
				// The items were recorded as they finished; the final output is the fallback for streams that skip them.
				if (!sawItems) {
					for (const item of (event.response as {output?: unknown[]} | undefined)?.output ?? []) {
						recordItem(item, accountId, issuers);
					}
				}

				break;
			}

			case 'response.metadata':
			case 'codex.response.metadata': {
				recordFrameTurnState(event, accountId, issuers);
				break;
			}

			case 'codex.rate_limits': {
				const quota = parseRateLimitsEvent(event, clock.now());
				if (quota !== undefined) {
					pool.observeQuota(accountId, quota);
				}

				break;
			}

			case 'response.failed':
			case 'response.incomplete':
			case 'error': {
				const error = ((event.response as {error?: Record<string, unknown>} | undefined)?.error ??
					event.error) as {code?: unknown; message?: unknown} | undefined;
				const code = typeof error?.code === 'string' ? error.code : String(event.type);
				const message = typeof error?.message === 'string' ? error.message : code;
				failure = `${code}: ${message}`;
				// After the first byte nothing is replayed (the event goes on to the client), but the account's
				// state is learnt: a usage limit mid-stream marks it exhausted like a 429, so the next request of
				// this session moves.
				if (isUsageLimitError(error)) {
					markExhausted(pool, accountId, resetOfError(error, clock.now()), clock.now());
				} else if (code === 'rate_limit_exceeded') {
					pool.markCooling(accountId, clock.now() + (parseRetryDelay(message) ?? 10_000), 'rate-limit');
				}

				break;
			}

			default:
		}
	};

	const scanner = options.sse ? new SseScanner(onEvent) : undefined;
	const jsonChunks: Buffer[] = [];
	let jsonSize = 0;
	const observe = (chunk: Buffer) => {
		firstByteAt ??= performance.now();
		if (scanner !== undefined) {
			scanner.write(chunk);
			return;
		}

		jsonSize += chunk.length;
		if (jsonSize <= MAX_JSON_BYTES) {
			jsonChunks.push(chunk);
		}
	};

	const beforeEnd = () => {
		if (scanner !== undefined) {
			scanner.end();
			// A stream that ends cleanly without a terminal event is still a broken answer: the client is told so
			// with a `response.failed` event (as when the connection breaks), never left to guess.
			return completed || failure !== undefined
				? undefined
				: Buffer.from(streamFailedEvent('The upstream stream ended before response.completed.'));
		}

		if (jsonSize <= MAX_JSON_BYTES) {
			try {
				const parsed = JSON.parse(Buffer.concat(jsonChunks).toString('utf8')) as {output?: unknown[]};
				for (const item of parsed.output ?? []) {
					recordItem(item, accountId, issuers);
				}

				usage = usageOf(parsed);
			} catch {}
		}

		completed = true;
		return undefined;
	};

	const report = (error: string | undefined) => {
		if (reported) {
			return;
		}

		reported = true;
		options.onDone({usage, firstByteAt, error: error ?? failure});
	};

	source.attach({observe, beforeEnd});
	source.once('end', () => {
		report(
			completed || !options.sse || failure !== undefined
				? undefined
				: 'the upstream stream ended before response.completed',
		);
	});
	source.once('error', (error) => {
		report(`the upstream stream broke after the first byte: ${error.message}`);
	});
	source.once('close', () => {
		report('the client went away before the response ended');
	});
	return source;
}

/** The `response.failed` event the client gets when the upstream's stream ends or breaks early. */
export function streamFailedEvent(message: string): string {
	const event = {
		type: 'response.failed',
		response: {status: 'failed', error: {code: 'upstream_stream_broken', message}},
	};
	return responsesEvent(event);
}
