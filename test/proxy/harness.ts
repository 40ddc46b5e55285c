import {noMarks} from '../../source/core/model.ts';
import type {TokenSource} from '../../source/core/proxy/upstream-client.ts';
import type {SimulatedUpstream} from '../../source/core/simulated-backend/index.ts';
import type {AccountRecord} from '../../source/core/store/types.ts';

/**
A token source for tests: the tokens the upstream issued, refreshed against its `/oauth/token` with one
refresh in flight per account (what the real token manager guarantees), counting refreshes.
*/
export function createTestTokens(upstream: SimulatedUpstream, names: readonly string[]) {
	const tokens = new Map<string, {access: string; refresh: string}>();
	for (const name of names) {
		const account = upstream.accounts.get(name);
		tokens.set(account.accountId, {access: account.tokens.accessToken, refresh: account.tokens.refreshToken});
	}

	const inFlight = new Map<string, Promise<string>>();
	let refreshes = 0;
	const source: TokenSource = {
		async getAccessToken(id) {
			const current = tokens.get(id);
			if (current === undefined) {
				throw new Error(`no tokens for ${id}`);
			}

			return current.access;
		},
		async refreshAfter401(id, failedToken) {
			const current = tokens.get(id);
			if (current === undefined) {
				throw new Error(`no tokens for ${id}`);
			}

			if (current.access !== failedToken) {
				return current.access;
			}

			const running = inFlight.get(id);
			if (running !== undefined) {
				return running;
			}

			const refresh = (async () => {
				refreshes++;
				const response = await fetch(upstream.tokenUrl, {
					method: 'POST',
					headers: {'content-type': 'application/json'},
					body: JSON.stringify({
						client_id: 'app_EMoamEEZ73f0CkXaXp7hrann',
						grant_type: 'refresh_token',
						refresh_token: current.refresh,
					}),
				});
				const body = (await response.json()) as {
					access_token?: string;
					refresh_token?: string;
					error?: {code?: string};
				};
				if (!response.ok || body.access_token === undefined) {
					throw Object.assign(new Error(`refresh refused: ${body.error?.code ?? response.status}`), {
						code: body.error?.code,
					});
				}

				tokens.set(id, {access: body.access_token, refresh: body.refresh_token ?? current.refresh});
				return body.access_token;
			})();
			inFlight.set(id, refresh);
			try {
				return await refresh;
			} finally {
				inFlight.delete(id);
			}
		},
	};
	return {source, refreshes: () => refreshes};
}

export function recordFor(upstream: SimulatedUpstream, name: string): AccountRecord {
	const account = upstream.accounts.get(name);
	return {
		id: account.accountId,
		name,
		email: account.email,
		plan: account.plan,
		tokens: {
			idToken: account.tokens.idToken,
			accessToken: account.tokens.accessToken,
			refreshToken: account.tokens.refreshToken,
			lastRefresh: undefined,
		},
		marks: noMarks,
		needsLogin: undefined,
		addedAt: 0,
	};
}

/** A Codex-style request body for one turn of a session. */
export function turnBody(prompt: string, history: readonly unknown[] = []): Record<string, unknown> {
	return {
		model: 'gpt-5.5',
		stream: true,
		store: false,
		include: ['reasoning.encrypted_content'],
		input: [...history, {type: 'message', role: 'user', content: [{type: 'input_text', text: prompt}]}],
	};
}

export {sseEvents} from '../helpers/sse.ts';

/** POSTs one turn to the proxy's Codex path. */
export async function postTurn(
	proxyUrl: string,
	body: Record<string, unknown>,
	headers: Record<string, string> = {},
): Promise<{status: number; text: string; headers: Headers}> {
	const response = await fetch(`${proxyUrl}/backend-api/codex/responses`, {
		method: 'POST',
		headers: {'content-type': 'application/json', accept: 'text/event-stream', ...headers},
		body: JSON.stringify(body),
	});
	return {status: response.status, text: await response.text(), headers: response.headers};
}
