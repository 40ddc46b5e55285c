import {mkdtempSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {importSimulatedAccounts} from '../../source/core/demo/seed-home.ts';
import type {SimulatedUpstream} from '../../source/core/simulated-backend/index.ts';
import {openStore, type Store} from '../../source/core/store/store.ts';
import type {Settings} from '../../source/core/store/types.ts';

/** A fresh codexpool home in the temporary folder; `remove` deletes it. */
export function tempHome(prefix = 'codexpool-test-'): {readonly home: string; readonly remove: () => void} {
	const home = mkdtempSync(path.join(tmpdir(), prefix));
	return {home, remove: () => rmSync(home, {recursive: true, force: true})};
}

/**
A temporary home whose store holds every account of `upstream` (imported as `codexpool import` would), with
the scheduler off (its kicks would spend the simulated quota at start; tests that want it turn it on) and
`settings` applied over that.
*/
export function seededHome(
	upstream: SimulatedUpstream,
	settings: Partial<Settings> = {},
	prefix = 'codexpool-test-',
): {readonly home: string; readonly store: Store; readonly remove: () => void} {
	const {home, remove} = tempHome(prefix);
	const store = openStore(home);
	importSimulatedAccounts(store, upstream, Date.now());
	store.setSettings({scheduler: {...store.getSettings().scheduler, enabled: false}, ...settings});
	return {home, store, remove};
}
