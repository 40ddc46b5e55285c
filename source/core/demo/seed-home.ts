import {mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {importLogins} from '../auth/import.ts';
import type {SimulatedUpstream} from '../simulated-backend/index.ts';
import type {Store} from '../store/store.ts';

/**
Saves the simulated upstream's accounts into a store the way a user would: each as a Codex auth.json, then
`import` of the folder. The demo and the end-to-end tests start from a home made like this.
*/
export function importSimulatedAccounts(store: Store, upstream: SimulatedUpstream, now: number): void {
	const folder = mkdtempSync(path.join(tmpdir(), 'codexpool-logins-'));
	try {
		for (const account of upstream.accounts.list()) {
			writeFileSync(
				path.join(folder, `${account.name}.auth.json`),
				JSON.stringify(upstream.accounts.authJson(account.name)),
				{
					mode: 0o600,
				},
			);
		}

		importLogins(store, folder, {now});
		// Named as the simulation names them (ada, grace, …), which reads better than their made-up emails.
		for (const account of upstream.accounts.list()) {
			if (store.getAccount(account.accountId) !== undefined) {
				store.updateAccount(account.accountId, (record) => ({...record, name: account.name}));
			}
		}
	} finally {
		rmSync(folder, {recursive: true, force: true});
	}
}
