import {markForFailure} from '../proxy/outcomes.ts';
import {sessionIdentity} from '../sessions/identity.ts';
import type {RelayDeps} from './relay-deps.ts';
import {type OpenedUpstream, openForAccount} from './upstream-open.ts';

/** How long an upstream's 426 is believed before the pool tries WebSocket upstream again (wall ms). */
const REFUSAL_MEMORY_MS = 10 * 60_000;

/**
Whether the upstream serves the Responses WebSocket mode, as last seen. A pool whose upstream refuses it
answers Codex's upgrade with 426 too, so Codex falls back to HTTP at once and silently, as it would directly.
*/
export class UpstreamWebSocketSupport {
	#refusedUntil = 0;

	get refused(): boolean {
		return performance.now() < this.#refusedUntil;
	}

	markRefused(): void {
		this.#refusedUntil = performance.now() + REFUSAL_MEMORY_MS;
	}
}

/** Upgrade response headers Codex reads (`responses_websocket.rs`, connect). */
const PASSED_HEADERS = ['x-codex-turn-state', 'x-models-etag', 'x-reasoning-included', 'openai-model'];

export type FirstUpstream =
	/** Open on the session's account (or the strategy's pick for a new session). */
	| {
			readonly kind: 'open';
			readonly upstream: OpenedUpstream;
			/** Headers of the upstream's upgrade response to give the client in ours. */
			readonly headers: readonly string[];
	  }
	/** The upstream does not serve WebSocket: the client gets 426. */
	| {readonly kind: 'refused'}
	/** No account could open one now: the client is let in and told why at its first request. */
	| {readonly kind: 'none'};

/**
At the client's handshake, the upstream socket of its session: the session's account while it can keep it,
else the strategy's pick, failing over like any request. Codex learns at its own handshake what the
upstream's says (426 above all), and the first request does not wait for a second handshake.
*/
export async function openFirstUpstream(
	deps: RelayDeps,
	headers: Readonly<Record<string, string | undefined>>,
	support: UpstreamWebSocketSupport,
): Promise<FirstUpstream> {
	const identity = sessionIdentity(headers, {});
	const home = identity.source === 'header' ? deps.sessions.get(identity.id)?.accountId : undefined;
	const tried = new Set<string>();
	for (;;) {
		const accountId = deps.choice.choose(home, tried, {});
		if (accountId === undefined) {
			return {kind: 'none'};
		}

		tried.add(accountId);
		const opened = await openForAccount(deps, headers, accountId, {
			moving: home !== undefined && home !== accountId,
		});
		if (opened.ok) {
			const passed: string[] = [];
			for (const name of PASSED_HEADERS) {
				const value = opened.headers[name];
				if (typeof value === 'string') {
					passed.push(`${name}: ${value}`);
				}
			}

			return {kind: 'open', upstream: opened.upstream, headers: passed};
		}

		if (opened.refusesWebSocket) {
			support.markRefused();
			return {kind: 'refused'};
		}

		if (opened.failure.kind === 'client-error' || opened.failure.kind === 'invalid-encrypted-content') {
			return {kind: 'none'};
		}

		markForFailure(deps.pool, accountId, opened.failure, deps.clock.now());
	}
}
