import type {Dispatcher} from 'undici';
import type {Clock} from '../clock.ts';
import {clientResponseHeaders, upstreamRequestHeaders} from './headers.ts';
import {send, type TokenSource, type UpstreamBase} from './upstream-client.ts';
import type {UpstreamFailure} from './upstream-errors.ts';

/** A GET answered by the upstream for one account. */
export type UpstreamGetResult = {status: number; headers: Record<string, string>; text: string};

/**
GETs on behalf of one account (its token, one refresh on a 401), for `/codex/models`, `/wham/usage` and the
usage poll. Resolves to undefined when the account could not answer.
*/
export function createUpstreamGet(deps: {
	tokens: TokenSource;
	dispatcher: Dispatcher;
	upstream: UpstreamBase;
	clock: Clock;
	onHeaders: (accountId: string, headers: Record<string, string | string[] | undefined>) => void;
	onTokenError: (accountId: string, error: unknown) => void;
	/** A failure that says something about the account (a quota verdict, a 401 the refresh did not cure). */
	onFailure: (accountId: string, failure: UpstreamFailure) => void;
}) {
	const {tokens, dispatcher, upstream, clock} = deps;
	return async (
		accountId: string,
		path: string,
		clientHeaders: Record<string, string | undefined> = {},
	): Promise<UpstreamGetResult | undefined> => {
		let token: string;
		try {
			token = await tokens.getAccessToken(accountId);
		} catch (error) {
			deps.onTokenError(accountId, error);
			return undefined;
		}

		for (let round = 0; round < 2; round++) {
			const headers = upstreamRequestHeaders(
				clientHeaders,
				{accessToken: token, accountId},
				{dropTurnState: true},
			);
			delete headers['content-type'];
			const answer = await send(dispatcher, upstream, {method: 'GET', path, headers}, clock.now);
			if (answer.ok) {
				deps.onHeaders(accountId, answer.response.headers);
				return {
					status: answer.response.statusCode,
					headers: clientResponseHeaders(answer.response.headers),
					text: await answer.response.body.text(),
				};
			}

			if (answer.failure.kind !== 'unauthorized' || round > 0) {
				// A side endpoint failing (usage, models) says nothing about serving turns; a quota verdict or a
				// token the refresh did not cure does.
				if (answer.failure.kind === 'usage-limit' || answer.failure.kind === 'unauthorized') {
					deps.onFailure(accountId, answer.failure);
				}

				return undefined;
			}

			try {
				token = await tokens.refreshAfter401(accountId, token);
			} catch (error) {
				deps.onTokenError(accountId, error);
				return undefined;
			}
		}

		return undefined;
	};
}
