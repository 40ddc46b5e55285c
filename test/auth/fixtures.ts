import {makeAccessToken, makeIdToken} from '../store/fixtures.ts';

/** The text of a Codex auth.json for `accountId`. */
export function authJson(
	accountId: string,
	options: {email?: string; plan?: string; lastRefresh?: string; rt?: string} = {},
) {
	return JSON.stringify({
		auth_mode: 'chatgpt',
		OPENAI_API_KEY: null,
		tokens: {
			id_token: makeIdToken({
				accountId,
				email: options.email ?? `${accountId}@example.com`,
				plan: options.plan,
			}),
			access_token: makeAccessToken(Date.now() + 3_600_000, accountId),
			refresh_token: options.rt ?? `rt-secret-${accountId}`,
			account_id: accountId,
		},
		last_refresh: options.lastRefresh ?? '2026-08-20T10:00:00.123456Z',
	});
}
