/** The fields an account can be named by on the command line and in the admin API. */
export type NamedAccount = {readonly id: string; readonly name: string; readonly email: string | undefined};

/** A name that matches no account, or several. The message lists the candidates. */
export class AccountNameError extends Error {
	override name = 'AccountNameError';
}

/**
Finds the account a user means: an exact name, email or id first, then a unique case-insensitive prefix of
any of them. An unknown or ambiguous name throws with the candidates listed, so the user can retype it.
*/
export function resolveAccount<T extends NamedAccount>(query: string, accounts: readonly T[]): T {
	const wanted = query.trim().toLowerCase();
	if (wanted === '') {
		throw new AccountNameError(`No account named. ${listNames(accounts)}`);
	}

	const keys = (account: T) =>
		[account.name, account.email ?? '', account.id].map((key) => key.toLowerCase());
	const exact = accounts.filter((account) => keys(account).includes(wanted));
	if (exact.length === 1) {
		return exact[0]!;
	}

	const byPrefix =
		exact.length > 1
			? exact
			: accounts.filter((account) => keys(account).some((key) => key.startsWith(wanted)));
	if (byPrefix.length === 1) {
		return byPrefix[0]!;
	}

	if (byPrefix.length === 0) {
		throw new AccountNameError(`No account matches "${query}". ${listNames(accounts)}`);
	}

	throw new AccountNameError(
		`"${query}" matches ${byPrefix.length} accounts: ${byPrefix.map((account) => account.name).join(', ')}. Type more of the name.`,
	);
}

function listNames(accounts: readonly NamedAccount[]): string {
	if (accounts.length === 0) {
		return 'There are no accounts yet: add one with `codexpool import ~/.codex` or `codexpool login`.';
	}

	return `Accounts: ${accounts.map((account) => account.name).join(', ')}.`;
}
