import fs from 'node:fs';
import {accountLabel, accountProblem} from './account-check.ts';
import type {AccountRecord} from './types.ts';

/**
Something of the store that was set aside: the copy that holds it and what happened, in a sentence. Kept in the
store file and said by every command until the copy is dealt with (moved back, or deleted).
*/
export type StoreDamage = {readonly file: string; readonly at: number; readonly message: string};

/** The entries whose copy is still there. */
export function currentDamage(entries: readonly StoreDamage[] | undefined): readonly StoreDamage[] {
	return (entries ?? []).filter((entry) => fs.existsSync(entry.file));
}

const deal = (file: string) => `Delete ${file} once you have what you need from it, and this notice stops.`;

/** The whole file could not be read and was moved to `aside`. */
export function wholeFileDamage(aside: string, reason: string, at: number): StoreDamage {
	return {
		file: aside,
		at,
		message:
			`The store was damaged (${reason}) and moved to ${aside} on ${new Date(at).toISOString()}: the accounts in it ` +
			'are not loaded. Repair that copy and move it back, or add the accounts again with `codexpool import PATH` ' +
			`or \`codexpool login\`. ${deal(aside)}`,
	};
}

/** The accounts of a store file that can be used, and a line for each one that cannot (never its values). */
export function splitAccounts(accounts: readonly unknown[]): {
	good: AccountRecord[];
	bad: string[];
} {
	const good: AccountRecord[] = [];
	const bad: string[] = [];
	for (const [index, account] of accounts.entries()) {
		const problem = accountProblem(account);
		if (problem === undefined) {
			good.push(account as AccountRecord);
		} else {
			bad.push(`${accountLabel(account, index)} (${problem})`);
		}
	}

	return {good, bad};
}

/** Some accounts could not be used and were left out; the file as it was is in `aside`. */
export function accountsDamage(aside: string, bad: readonly string[], kept: number, at: number): StoreDamage {
	const count = bad.length === 1 ? 'One account' : `${bad.length} accounts`;
	return {
		file: aside,
		at,
		message:
			`${count} of the store could not be used and ${bad.length === 1 ? 'was' : 'were'} set aside on ` +
			`${new Date(at).toISOString()}: ${bad.join('; ')}. The other ${kept} ${kept === 1 ? 'account is' : 'accounts are'} ` +
			`kept. The file as it was is in ${aside}; add ${bad.length === 1 ? 'that account' : 'those accounts'} again ` +
			`with \`codexpool login\` or \`codexpool import PATH\`. ${deal(aside)}`,
	};
}

/** A copy of the store file next to it, named like a file set aside whole (`<file>.corrupt-<time>`). */
export function copyAside(file: string, at: number): string {
	const aside = `${file}.corrupt-${new Date(at).toISOString().replaceAll(':', '-')}`;
	fs.copyFileSync(file, aside, fs.constants.COPYFILE_EXCL);
	fs.chmodSync(aside, 0o600);
	return aside;
}
