import type {Dispatcher} from 'undici';
import type {Clock} from '../clock.ts';
import type {Pool} from '../pool/pool.ts';
import type {Random} from '../random.ts';
import {sessionIdentity} from '../sessions/identity.ts';
import type {IssuerRegistry} from '../sessions/issuers.ts';
import type {SessionRegistry} from '../sessions/registry.ts';
import type {StripMode} from '../sessions/strip.ts';
import type {SocketTransport} from '../ws/http-over-socket.ts';
import {createAccountChoice} from './account-choice.ts';
import {createAttempt, observeHeaders} from './attempt.ts';
import type {
	Dispatch,
	DispatchBody,
	DispatchFailure,
	DispatchRequest,
	DispatchResult,
} from './dispatch-types.ts';
import {Emitter, emitMoves, type ProxyEvents} from './events.ts';
import {clientResponseHeaders} from './headers.ts';
import {failureWords, markForFailure, markTokenFailure, noAccountFailure} from './outcomes.ts';
import type {Selector, StrategyOptionsSource} from './selection.ts';
import type {TokenSource, UpstreamBase} from './upstream-client.ts';
import type {UpstreamFailure} from './upstream-errors.ts';
import {createUpstreamGet} from './upstream-get.ts';
import {type ResponseOutcome, watchResponse} from './watch.ts';

export type EngineOptions = {
	readonly pool: Pool;
	readonly sessions: SessionRegistry;
	readonly issuers: IssuerRegistry;
	readonly tokens: TokenSource;
	readonly select: Selector;
	readonly strategyOptions?: StrategyOptionsSource;
	readonly upstream: UpstreamBase;
	readonly dispatcher: Dispatcher;
	readonly clock: Clock;
	readonly random: Random;
	/** Hold a request up to this long (clock ms) when every account rests but one becomes usable by then. */
	readonly waitUpToMs?: number;
	readonly events?: Emitter<ProxyEvents>;
	/** Aborted (with the reason its streams end with) when the pool stops: acts as every client going away. */
	readonly stopSignal?: AbortSignal;
	/** Sends responses requests over a per-session upstream WebSocket (`ws/http-over-socket.ts`) when it can. */
	readonly socketTransport?: SocketTransport | undefined;
};

export type Engine = {
	readonly dispatch: Dispatch;
	readonly events: Emitter<ProxyEvents>;
	/** Responses streaming right now. */
	readonly inFlight: () => number;
	/**
	A GET to the upstream on behalf of one account (its token, one refresh on 401), for `/codex/models`,
	`/wham/usage` and the usage poll. Resolves to undefined when the account could not answer.
	*/
	readonly get: (
		accountId: string,
		path: string,
		headers?: Record<string, string | undefined>,
	) => Promise<{status: number; headers: Record<string, string>; text: string} | undefined>;
};

/** What the request log needs of a request once its response is streaming. */
type StreamedRequest = {
	readonly sessionId: string;
	readonly accountId: string;
	readonly path: string;
	readonly model: string | undefined;
	readonly status: number;
	readonly started: number;
	readonly failedOver: readonly string[];
};

export function createEngine(options: EngineOptions): Engine {
	const {pool, sessions, issuers, tokens, upstream, dispatcher, clock} = options;
	const {reasonToLeave, choose, waitForChange} = createAccountChoice(options);
	const events = options.events ?? new Emitter<ProxyEvents>();
	let inFlight = 0;
	let requestCounter = 0;
	let noticeCounter = 0;

	const notice = (level: 'info' | 'warn' | 'error', message: string) => {
		events.emit('notice', {id: `proxy-${++noticeCounter}`, at: clock.now(), level, message});
	};

	const attempt = createAttempt({
		pool,
		issuers,
		tokens,
		upstream,
		dispatcher,
		clock,
		notice,
		socketTransport: options.socketTransport,
	});

	const logFailure = (
		request: DispatchRequest,
		sessionId: string,
		failure: DispatchFailure,
		failedOver: readonly string[],
		started: number,
	) => {
		events.emit('request', {
			id: `r-${++requestCounter}`,
			at: clock.now(),
			sessionId,
			accountId: undefined,
			path: request.path,
			model: typeof request.body.model === 'string' ? request.body.model : undefined,
			status: failure.status,
			ttfbMs: undefined,
			durationMs: performance.now() - started,
			inputTokens: 0,
			outputTokens: 0,
			failedOver,
			error: failure.error.message,
		});
	};

	/** A response stream has ended: the session's usage, the running counts and the request log learn of it. */
	const streamDone = (streamed: StreamedRequest, outcome: ResponseOutcome) => {
		inFlight--;
		sessions.end(streamed.sessionId, outcome.usage);
		pool.setRunning(sessions.runningCounts());
		events.emit('request', {
			id: `r-${++requestCounter}`,
			at: clock.now(),
			sessionId: streamed.sessionId,
			accountId: streamed.accountId,
			path: streamed.path,
			model: streamed.model,
			status: streamed.status,
			ttfbMs: outcome.firstByteAt === undefined ? undefined : outcome.firstByteAt - streamed.started,
			durationMs: performance.now() - streamed.started,
			inputTokens: outcome.usage?.inputTokens ?? 0,
			outputTokens: outcome.usage?.outputTokens ?? 0,
			cachedInputTokens: outcome.usage?.cachedTokens,
			reasoningOutputTokens: outcome.usage?.reasoningTokens,
			failedOver: streamed.failedOver,
			error: outcome.error,
		});
	};

	const dispatch: Dispatch = async (asked): Promise<DispatchResult> => {
		const {stopSignal} = options;
		const request =
			stopSignal === undefined ? asked : {...asked, signal: AbortSignal.any([asked.signal, stopSignal])};
		const started = performance.now();
		const identity = sessionIdentity(request.headers, request.body);
		const home = sessions.get(identity.id)?.accountId;
		const leaveReason = home === undefined ? undefined : reasonToLeave(home, request.body);
		const tried = new Set<string>();
		const failedOver: string[] = [];
		let lastFailure: UpstreamFailure | undefined;
		const waitDeadline = clock.now() + (options.waitUpToMs ?? 0);

		for (;;) {
			if (request.signal.aborted) {
				return {
					ok: false,
					status: 499,
					error: {type: 'client_closed', message: 'The client closed the request.'},
				};
			}

			const accountId = choose(home, tried, request.body);
			if (accountId === undefined) {
				const earliest = pool.earliestUsableAt();
				const now = clock.now();
				if (
					options.waitUpToMs !== undefined &&
					earliest !== undefined &&
					earliest <= waitDeadline &&
					earliest > now
				) {
					await waitForChange((earliest - now) / clock.speed, request.signal);
					// After a wait every account may be tried once more.
					tried.clear();
					continue;
				}

				const failure = noAccountFailure(pool, lastFailure, now);
				logFailure(request, identity.id, failure, failedOver, started);
				return failure;
			}

			tried.add(accountId);
			const isReplay = tried.size > 1;
			const mode: StripMode = accountId === home || (home === undefined && !isReplay) ? 'foreign' : 'move';
			const result = await attempt(request, accountId, mode);
			if (!result.ok) {
				lastFailure = result.failure;
				if (request.signal.aborted) {
					continue;
				}

				if (result.failure.kind === 'client-error' || result.failure.kind === 'invalid-encrypted-content') {
					// The request's own fault: the client sees the upstream's answer as it is.
					const status = result.status ?? 400;
					let error: DispatchFailure['error'] = {
						type: 'invalid_request_error',
						message: result.failure.message,
					};
					try {
						const parsed = JSON.parse(result.text) as {error?: DispatchFailure['error']};
						error = parsed.error ?? error;
					} catch {}
					const failure: DispatchFailure = {ok: false, status, error};
					logFailure(request, identity.id, failure, failedOver, started);
					return failure;
				}

				markForFailure(pool, accountId, result.failure, clock.now());
				failedOver.push(accountId);
				continue;
			}

			const now = clock.now();
			pool.markSuccess(accountId);
			sessions.assign(identity.id, accountId, request.client);
			const detail = result.stripped > 0 ? `; ${result.stripped} encrypted reasoning item(s) removed` : '';
			const lost = result.compactionLost > 0 ? '; compacted context dropped' : '';
			emitMoves(events, now, {
				sessionId: identity.id,
				from: home,
				to: accountId,
				reason: `${leaveReason ?? failureWords(lastFailure)}${detail}${lost}`,
				failedOver,
				failure: lastFailure?.message,
			});

			sessions.begin(identity.id);
			pool.setRunning(sessions.runningCounts());
			inFlight++;
			const headers = clientResponseHeaders(result.response.headers);
			// Only these few values outlive the dispatch (in the closure below): the request's body and headers,
			// which a long conversation makes large, can then be collected young instead of riding along with the
			// stream until it ends (and being promoted to the old generation on the way).
			const streamed: StreamedRequest = {
				sessionId: identity.id,
				accountId,
				path: request.path,
				model: typeof request.body.model === 'string' ? request.body.model : undefined,
				status: result.response.statusCode,
				started,
				failedOver,
			};
			const body: DispatchBody = watchResponse({
				source: result.response.body,
				sse: (headers['content-type'] ?? '').includes('text/event-stream'),
				accountId,
				issuers,
				pool,
				clock,
				onDone: (outcome) => streamDone(streamed, outcome),
			});
			return {ok: true, status: result.response.statusCode, headers, accountId, sessionId: identity.id, body};
		}
	};

	const get = createUpstreamGet({
		tokens,
		dispatcher,
		upstream,
		clock,
		onHeaders: (accountId, headers) => observeHeaders(pool, clock, accountId, headers),
		onTokenError: (accountId, error) => markTokenFailure(pool, accountId, error, notice),
		onFailure: (accountId, failure) => markForFailure(pool, accountId, failure, clock.now()),
	});

	return {dispatch, events, inFlight: () => inFlight, get};
}
