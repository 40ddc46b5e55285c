import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {storeFileName} from '../../source/core/store/store.ts';
import type {AccountRecord} from '../../source/core/store/types.ts';

/** A fresh temporary folder for one test; removed by the returned cleanup. */
export function tempDir(prefix = 'codexpool-test-'): string {
	return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

function base64url(value: unknown): string {
	return Buffer.from(JSON.stringify(value)).toString('base64url');
}

/** An unsigned JWT with the given claims (codexpool never verifies signatures). */
export function makeJwt(claims: Record<string, unknown>): string {
	return `${base64url({alg: 'RS256', typ: 'JWT'})}.${base64url(claims)}.c2lnbmF0dXJl`;
}

/** An id token as auth.openai.com issues it. */
export function makeIdToken(options: {accountId: string; email?: string; plan?: string}): string {
	return makeJwt({
		email: options.email,
		'https://api.openai.com/auth': {
			chatgpt_account_id: options.accountId,
			chatgpt_plan_type: options.plan ?? 'plus',
			chatgpt_user_id: `user-${options.accountId}`,
		},
	});
}

/** An access token expiring at `expMs` (ms since the epoch). */
export function makeAccessToken(expMs: number, salt = ''): string {
	return makeJwt({exp: Math.floor(expMs / 1000), salt, 'https://api.openai.com/auth': {}});
}

export function makeAccount(id: string, overrides: Partial<AccountRecord> = {}): AccountRecord {
	return {
		id,
		name: overrides.name ?? `${id}@example.com`,
		email: `${id}@example.com`,
		plan: 'plus',
		tokens: {
			idToken: makeIdToken({accountId: id, email: `${id}@example.com`}),
			accessToken: makeAccessToken(Date.now() + 3_600_000, id),
			refreshToken: `rt-${id}-0`,
			lastRefresh: Date.now(),
		},
		marks: {pinned: false, drained: false, evicted: false},
		needsLogin: undefined,
		addedAt: Date.now(),
		...overrides,
	};
}

/** A home whose saved store has two accounts, `alice` and `bob`, and bob's record has no tokens (damage). */
export function homeWithAccountWithoutTokens(): string {
	const home = tempDir();
	const {tokens: _, ...noTokens} = makeAccount('acc-2', {name: 'bob'});
	fs.writeFileSync(
		path.join(home, storeFileName),
		JSON.stringify({
			version: 1,
			accounts: [makeAccount('acc-1', {name: 'alice'}), noTokens],
			settings: {},
			keys: [],
		}),
		{mode: 0o600},
	);
	return home;
}
