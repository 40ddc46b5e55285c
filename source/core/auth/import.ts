import path from 'node:path';
import {noMarks} from '../model.ts';
import {type Store, uniqueAccountName} from '../store/store.ts';
import type {AccountRecord} from '../store/types.ts';
import {AuthFileError, type CodexLogin, findAuthFiles, readAuthFile} from './auth-file.ts';

/** What importing did with one ChatGPT account. */
export type ImportOutcome = {
	readonly kind: 'added' | 'updated' | 'unchanged';
	readonly accountId: string;
	readonly name: string;
	readonly email: string | undefined;
	readonly plan: string;
	/** The file whose tokens were used (or offered, when unchanged). */
	readonly file: string;
	/** Other files of the same run that held the same ChatGPT account. */
	readonly duplicates: readonly string[];
	/** The saved account still needs a fresh login (the file held no better tokens). */
	readonly needsLogin?: boolean;
};

export type ImportOptions = {
	/** A name for the account; only when the path holds exactly one account. */
	readonly name?: string | undefined;
	readonly now: number;
};

/** A file of a folder that was not imported, and why (never a token). */
export type SkippedFile = {readonly file: string; readonly problem: string};

export type ImportResult = {
	readonly outcomes: readonly ImportOutcome[];
	/** Files of a folder that are not usable logins: left out, the good ones imported. */
	readonly skipped: readonly SkippedFile[];
};

/**
Imports every ChatGPT login under `target` (a Codex auth.json, a CODEX_HOME, or a folder of `*.auth.json`).
Every file is read and validated first; the good ones are saved in one write, and a folder's bad files are
returned as skipped, each with what is wrong. When nothing is usable (the one file given, or every file of the
folder) it throws and the store is untouched. Two logins of one `chatgpt_account_id` are one account: the newer
tokens (by `last_refresh`) are kept.
*/
export function importLogins(store: Store, target: string, options: ImportOptions): ImportResult {
	const files = findAuthFiles(target);
	const logins: CodexLogin[] = [];
	const skipped: SkippedFile[] = [];
	for (const file of files) {
		try {
			logins.push(readAuthFile(file));
		} catch (error) {
			if (!(error instanceof AuthFileError) || error.file === undefined || error.problem === undefined) {
				throw error;
			}

			skipped.push({file: error.file, problem: error.problem});
		}
	}

	if (logins.length === 0) {
		const [only] = skipped;
		throw new AuthFileError(
			files.length === 1 && only !== undefined
				? `Nothing was imported. ${only.file}: ${only.problem}`
				: `Nothing was imported: none of the ${files.length} auth files in ${target} is a usable login.\n${skipped.map(({file, problem}) => `  ${path.basename(file)}: ${problem}`).join('\n')}`,
		);
	}

	const groups = groupByAccount(logins);
	if (options.name !== undefined && groups.length > 1) {
		throw new AuthFileError(
			`Nothing was imported: --name names one account, but ${target} holds ${groups.length} different accounts. ` +
				'Import them without --name (each is named by its email), or import one file at a time.',
		);
	}

	const outcomes: ImportOutcome[] = [];
	store.replaceAccounts((current) => {
		const accounts = [...current];
		for (const {newest, duplicates} of groups) {
			const index = accounts.findIndex((account) => account.id === newest.accountId);
			const existing = accounts[index];
			const base = {
				accountId: newest.accountId,
				email: newest.email,
				plan: newest.plan,
				file: newest.file,
				duplicates,
			};
			if (existing === undefined) {
				const name = options.name ?? uniqueAccountName(accounts, newest.email ?? newest.accountId);
				accounts.push(newRecord(newest, name, options.now));
				outcomes.push({...base, kind: 'added', name});
				continue;
			}

			const name = options.name ?? existing.name;
			const takeTokens = isNewer(newest, existing);
			accounts[index] = {
				...existing,
				name,
				...(takeTokens
					? {
							tokens: newest.tokens,
							email: newest.email ?? existing.email,
							plan: newest.plan,
							needsLogin: undefined,
						}
					: {}),
			};
			outcomes.push({
				...base,
				kind: takeTokens ? 'updated' : 'unchanged',
				name,
				needsLogin: !takeTokens && existing.needsLogin !== undefined,
			});
		}

		return accounts;
	});
	return {outcomes, skipped};
}

function groupByAccount(logins: readonly CodexLogin[]): {newest: CodexLogin; duplicates: string[]}[] {
	const byAccount = new Map<string, CodexLogin[]>();
	for (const login of logins) {
		byAccount.set(login.accountId, [...(byAccount.get(login.accountId) ?? []), login]);
	}

	return [...byAccount.values()].map((group) => {
		const sorted = [...group].sort((a, b) => (b.tokens.lastRefresh ?? 0) - (a.tokens.lastRefresh ?? 0));
		return {newest: sorted[0]!, duplicates: sorted.slice(1).map((login) => login.file)};
	});
}

/** Whether an imported login should replace the saved tokens of its account. */
function isNewer(login: CodexLogin, saved: AccountRecord): boolean {
	if (login.tokens.refreshToken === saved.tokens.refreshToken) {
		return false;
	}

	// A saved login that was refused is worth replacing with any other login.
	if (saved.needsLogin !== undefined) {
		return true;
	}

	return (login.tokens.lastRefresh ?? 0) > (saved.tokens.lastRefresh ?? 0);
}

function newRecord(login: CodexLogin, name: string, now: number): AccountRecord {
	return {
		id: login.accountId,
		name,
		email: login.email,
		plan: login.plan,
		tokens: login.tokens,
		marks: noMarks,
		needsLogin: undefined,
		addedAt: now,
	};
}
