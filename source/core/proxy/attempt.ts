import type {Dispatcher} from 'undici';
import type {Clock} from '../clock.ts';
import type {Pool} from '../pool/pool.ts';
import {parseQuotaHeaders} from '../quota/index.ts';
import {sessionIdentity} from '../sessions/identity.ts';
import type {IssuerRegistry} from '../sessions/issuers.ts';
import {recordRejectedItems, type StripMode, stripBoundItems} from '../sessions/strip.ts';
import {issuedByAnother, recordHeaderTurnState, TURN_STATE} from '../sessions/turn-state-issuers.ts';
import type {SocketTransport} from '../ws/http-over-socket.ts';
import type {DispatchRequest} from './dispatch-types.ts';
import {upstreamRequestHeaders} from './headers.ts';
import {markTokenFailure, type Notify} from './outcomes.ts';
import type {UpstreamResponse} from './upstream-body.ts';
import {send, type TokenSource, type UpstreamBase} from './upstream-client.ts';
import type {UpstreamFailure} from './upstream-errors.ts';
import {wireBody, withEncoding} from './wire-body.ts';

/** How one account answered: its response with the body unread, or why not. */
export type Attempt =
	| {
			readonly ok: true;
			readonly response: UpstreamResponse;
			/** Encrypted reasoning items removed because another account issued them. */
			readonly stripped: number;
			/** Compaction items removed (the session's compacted context is lost). */
			readonly compactionLost: number;
	  }
	| {
			readonly ok: false;
			readonly failure: UpstreamFailure;
			readonly status: number | undefined;
			readonly text: string;
	  };

export type AttemptDeps = {
	readonly pool: Pool;
	readonly issuers: IssuerRegistry;
	readonly tokens: TokenSource;
	readonly upstream: UpstreamBase;
	readonly dispatcher: Dispatcher;
	readonly clock: Clock;
	readonly notice: Notify;
	readonly socketTransport?: SocketTransport | undefined;
};

/** The quota an upstream answer's headers report, learnt by the pool. */
export function observeHeaders(
	pool: Pool,
	clock: Clock,
	accountId: string,
	headers: Record<string, string | string[] | undefined>,
): void {
	const quota = parseQuotaHeaders(headers, clock.now());
	if (quota !== undefined) {
		pool.observeQuota(accountId, quota);
	}
}

/**
Sends a request as one account: its token (one refresh on a 401), and one retry without encrypted items on a
400 that names them. Which account, and what to do when it fails, is the dispatcher's choice.
*/
export function createAttempt(
	deps: AttemptDeps,
): (request: DispatchRequest, accountId: string, mode: StripMode) => Promise<Attempt> {
	const {pool, issuers, tokens, upstream, dispatcher, clock, notice} = deps;
	return async (request, accountId, mode) => {
		const stripped = stripBoundItems(request.body, accountId, issuers, mode);
		if (stripped.removedCompaction > 0) {
			notice(
				'warn',
				`Session moved to ${pool.get(accountId)?.record.name ?? accountId}: its compacted context (encrypted by another account) was dropped.`,
			);
		}

		let sent = stripped.body;
		let wire = await wireBody(request, sent);
		// Responses requests ride the session's upstream WebSocket when it can take them (the same session as dispatch's).
		const sessionId =
			deps.socketTransport !== undefined && request.path === '/codex/responses'
				? sessionIdentity(request.headers, request.body).id
				: undefined;
		let token: string;
		try {
			token = await tokens.getAccessToken(accountId);
		} catch (error) {
			return {
				ok: false,
				failure: markTokenFailure(pool, accountId, error, notice),
				status: undefined,
				text: '',
			};
		}

		let refreshed = false;
		let strippedAll = false;
		for (;;) {
			const headers = upstreamRequestHeaders(
				request.headers,
				{accessToken: token, accountId},
				// A turn state another account issued stays behind even when the session no longer moves (a move
				// earlier in Codex's turn, which keeps the first turn state it got).
				{
					dropTurnState:
						mode !== 'foreign' || issuedByAnother(request.headers[TURN_STATE], accountId, issuers),
				},
			);
			const answer =
				(sessionId === undefined
					? undefined
					: await deps.socketTransport?.send({
							sessionId,
							accountId,
							headers,
							body: sent,
							signal: request.signal,
						})) ??
				(await send(
					dispatcher,
					upstream,
					{
						method: 'POST',
						path: request.path,
						headers: withEncoding(headers, wire),
						body: wire.bytes,
						signal: request.signal,
					},
					clock.now,
				));
			if (answer.ok) {
				observeHeaders(pool, clock, accountId, answer.response.headers);
				recordHeaderTurnState(answer.response.headers, accountId, issuers);
				return {
					ok: true,
					response: answer.response,
					stripped: stripped.removedReasoning,
					compactionLost: stripped.removedCompaction,
				};
			}

			observeHeaders(pool, clock, accountId, answer.headers);
			if (answer.failure.kind === 'unauthorized' && !refreshed && !request.signal.aborted) {
				refreshed = true;
				try {
					token = await tokens.refreshAfter401(accountId, token);
				} catch (error) {
					return {
						ok: false,
						failure: markTokenFailure(pool, accountId, error, notice),
						status: answer.status,
						text: answer.text,
					};
				}

				continue;
			}

			if (answer.failure.kind === 'invalid-encrypted-content' && !strippedAll) {
				strippedAll = true;
				recordRejectedItems(stripped.body, accountId, issuers);
				sent = stripBoundItems(request.body, accountId, issuers, 'all').body;
				wire = await wireBody(request, sent);
				continue;
			}

			return {ok: false, failure: answer.failure, status: answer.status, text: answer.text};
		}
	};
}
