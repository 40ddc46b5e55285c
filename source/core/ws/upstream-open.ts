import type WebSocket from 'ws';
import {upstreamRequestHeaders} from '../proxy/headers.ts';
import {needsLoginError} from '../proxy/upstream-client.ts';
import type {UpstreamFailure} from '../proxy/upstream-errors.ts';
import {parseQuotaHeaders} from '../quota/index.ts';
import type {IssuerRegistry} from '../sessions/issuers.ts';
import {type StripResult, stripBoundItems} from '../sessions/strip.ts';
import {recordHeaderTurnState} from '../sessions/turn-state-issuers.ts';
import type {RelayDeps} from './relay-deps.ts';
import {TURN_STATE, withoutTurnState} from './turn-state.ts';
import {openUpstreamSocket, upstreamSocketUrl} from './upstream-socket.ts';

/** An upstream socket of one client connection, on one account. */
export type OpenedUpstream = {
	readonly socket: WebSocket;
	readonly accountId: string;
	/** Clock ms when it opened (the backend limits a connection's age to 60 minutes). */
	readonly openedAt: number;
	/** What the last strip removed, in words for the move record (empty when nothing). */
	stripNote: string;
	/** Whether its handshake carried the client's `x-codex-turn-state` (the account it routes to is this one). */
	readonly keptTurnState: boolean;
};

/** What a strip removed, in words for the move record (empty when nothing). */
export function stripNote(result: StripResult): string {
	const removed =
		result.removedReasoning > 0 ? `; ${result.removedReasoning} encrypted reasoning item(s) removed` : '';
	return `${removed}${result.removedCompaction > 0 ? '; compacted context dropped' : ''}`;
}

export type OpenAnswer =
	| {
			readonly ok: true;
			readonly upstream: OpenedUpstream;
			/** The full body made fit for this account: encrypted items it cannot read removed. */
			readonly strip: (body: Record<string, unknown>) => Record<string, unknown>;
			/** The upgrade response's headers. */
			readonly headers: Readonly<Record<string, string | string[] | undefined>>;
	  }
	| {
			readonly ok: false;
			readonly failure: UpstreamFailure;
			readonly status: number | undefined;
			readonly refusesWebSocket: boolean;
	  };

/**
Opens an upstream socket for one account with its token and `ChatGPT-Account-ID` (never the client's),
Codex's session headers and `OpenAI-Beta` kept; a 401 at the handshake gets one single-flight refresh and one
retry, as an HTTP request does. `moving`: the session arrives from another account, so `x-codex-turn-state`
(which routes to the account that issued it) stays behind and every encrypted item this account did not
issue is removed. `stripAll`: after the account refused an encrypted item of unknown origin, every one goes.
*/
export async function openForAccount(
	deps: RelayDeps,
	clientHeaders: Readonly<Record<string, string | undefined>>,
	accountId: string,
	options: {
		readonly moving: boolean;
		readonly stripAll?: boolean;
		/** The client's turn state belongs to another account (a session that moved earlier on this connection). */
		readonly foreignTurnState?: boolean;
	},
): Promise<OpenAnswer> {
	const {pool, tokens, clock, issuers} = deps;
	const tokenFailed = (error: unknown): OpenAnswer => {
		const message = error instanceof Error ? error.message : String(error);
		if (needsLoginError(error)) {
			pool.markNeedsLogin(accountId, message);
		}

		return {ok: false, failure: {kind: 'unauthorized', message}, status: undefined, refusesWebSocket: false};
	};

	let token: string;
	try {
		token = await tokens.getAccessToken(accountId);
	} catch (error) {
		return tokenFailed(error);
	}

	const url = upstreamSocketUrl(deps.upstream, '/codex/responses');
	const dropTurnState = options.moving || options.foreignTurnState === true;
	for (let refreshed = false; ; refreshed = true) {
		const headers = upstreamRequestHeaders(clientHeaders, {accessToken: token, accountId}, {dropTurnState});
		const answer = await openUpstreamSocket(url, headers, clock.now);
		const quota = parseQuotaHeaders(answer.headers, clock.now());
		if (quota !== undefined) {
			pool.observeQuota(accountId, quota);
		}

		if (answer.ok) {
			// Who issued the turn state it answered with: a client given it sends it back (turn-state.ts).
			recordHeaderTurnState(answer.headers, accountId, issuers);

			const upstream: OpenedUpstream = {
				socket: answer.socket,
				accountId,
				openedAt: clock.now(),
				stripNote: '',
				keptTurnState: !dropTurnState && typeof clientHeaders[TURN_STATE] === 'string',
			};
			const strip = (body: Record<string, unknown>) => {
				const result = stripBoundItems(
					body,
					accountId,
					issuers,
					options.stripAll === true ? 'all' : options.moving ? 'move' : 'foreign',
				);
				upstream.stripNote = stripNote(result);
				return result.body;
			};

			return {ok: true, upstream, strip, headers: answer.headers};
		}

		if (answer.failure.kind === 'unauthorized' && !refreshed) {
			try {
				token = await tokens.refreshAfter401(accountId, token);
			} catch (error) {
				return tokenFailed(error);
			}

			continue;
		}

		return {
			ok: false,
			failure: answer.failure,
			status: answer.status,
			refusesWebSocket: answer.refusesWebSocket,
		};
	}
}

/**
What goes up an open socket of the request's account: the client's own bytes while nothing changes them.
The client's turn state is taken out of its `client_metadata` when it routes to another account.
Items this account cannot read would only earn a 400: on a move (the socket opened at the handshake for a
session arriving from another account) every one it did not issue is removed, else the ones known foreign.
*/
export function reusedPayload(request: {
	readonly data: Buffer;
	readonly raw: string;
	readonly body: Record<string, unknown>;
	/** Whether `body` is the client's frame as sent (the `/v1` door normalises it). */
	readonly untouched: boolean;
	readonly moving: boolean;
	readonly upstream: OpenedUpstream;
	readonly issuers: IssuerRegistry;
	/** The client's turn state belongs to another account than the socket's. */
	readonly foreignTurnState: boolean;
}): Buffer | string {
	const {moving, upstream, raw} = request;
	const body =
		request.foreignTurnState && raw.includes(`"${TURN_STATE}"`)
			? withoutTurnState(request.body)
			: request.body;
	const payload = request.untouched && body === request.body ? request.data : JSON.stringify(body);
	if (!moving && !raw.includes('"encrypted_content"')) {
		return payload;
	}

	const stripped = stripBoundItems(body, upstream.accountId, request.issuers, moving ? 'move' : 'foreign');
	upstream.stripNote = stripNote(stripped);
	if (stripped.body === body) {
		return payload;
	}

	// A previous_response_id here chains on this very socket: this account issued it.
	const kept =
		body.previous_response_id === undefined ? {} : {previous_response_id: body.previous_response_id};
	return JSON.stringify({...stripped.body, ...kept});
}
