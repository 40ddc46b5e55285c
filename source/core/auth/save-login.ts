import {noMarks} from '../model.ts';
import {type Store, uniqueAccountName} from '../store/store.ts';
import type {AccountRecord} from '../store/types.ts';
import {readLoginClaims} from './jwt.ts';
import type {LoginTokens} from './oauth-client.ts';

export type SavedLogin = {
	readonly kind: 'added' | 'updated';
	readonly account: AccountRecord;
	/** Set when the wanted name was taken by another account and another one was used. */
	readonly nameTaken?: string | undefined;
};

/**
Saves the tokens of a fresh login: a new account (named `name`, else its email), or new tokens for an
account already saved (which no longer needs a login).
*/
export function saveLogin(
	store: Store,
	tokens: LoginTokens,
	options: {name?: string | undefined; now: number},
): SavedLogin {
	const claims = readLoginClaims(tokens.idToken);
	if (claims?.accountId === undefined) {
		throw new Error(
			'The login succeeded but its id token names no ChatGPT account (no chatgpt_account_id claim): is this account allowed to use Codex?',
		);
	}

	const saved = {...tokens, lastRefresh: options.now};
	const existing = store.getAccount(claims.accountId);
	const others = store.listAccounts().filter((account) => account.id !== claims.accountId);
	const wanted = options.name ?? existing?.name ?? claims.email ?? claims.accountId;
	const name = uniqueAccountName(others, wanted);
	const nameTaken = name === wanted ? undefined : wanted;
	if (existing !== undefined) {
		const account = store.updateAccount(existing.id, (account) => ({
			...account,
			name,
			email: claims.email ?? account.email,
			plan: claims.plan ?? account.plan,
			tokens: saved,
			needsLogin: undefined,
		}));
		return {kind: 'updated', account, nameTaken};
	}

	const account = store.addAccount({
		id: claims.accountId,
		name,
		email: claims.email,
		plan: claims.plan ?? 'unknown',
		tokens: saved,
		marks: noMarks,
		needsLogin: undefined,
		addedAt: options.now,
	});
	return {kind: 'added', account, nameTaken};
}
