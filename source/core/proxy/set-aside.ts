import type {Pool} from '../pool/pool.ts';

/**
The accounts that cannot take new work until the user acts, whatever the wait: each needs a new login, is
evicted, or is drained. An account that only waits for a reset (exhausted, capped, cooling down) is not here.
*/
export type SetAside = {
	readonly needsLogin: readonly string[];
	readonly evicted: readonly string[];
	readonly drained: readonly string[];
};

export function setAsideAccounts(pool: Pool): SetAside {
	const needsLogin: string[] = [];
	const evicted: string[] = [];
	const drained: string[] = [];
	for (const {record, health} of pool.list()) {
		if (record.needsLogin !== undefined || health.status === 'needs-login') {
			needsLogin.push(record.name);
		} else if (record.marks.evicted) {
			evicted.push(record.name);
		} else if (record.marks.drained) {
			drained.push(record.name);
		}
	}

	return {needsLogin, evicted, drained};
}

export function isSetAside(setAside: SetAside, name: string): boolean {
	return [setAside.needsLogin, setAside.evicted, setAside.drained].some((names) => names.includes(name));
}

/**
What is wrong with each set-aside account and the command that fixes it, one clause per cause, e.g.
"bob needs a new login (`codexpool login --name bob`); carol and dan are evicted (`codexpool restore NAME` for
each)"; empty when no account is set aside.
*/
export function setAsideWords({needsLogin, evicted, drained}: SetAside): string {
	const clauses: string[] = [];
	if (needsLogin.length > 0) {
		clauses.push(
			`${names(needsLogin)} ${needsLogin.length === 1 ? 'needs' : 'need'} a new login (${fix('codexpool login --name', needsLogin)})`,
		);
	}

	if (evicted.length > 0) {
		clauses.push(
			`${names(evicted)} ${evicted.length === 1 ? 'is' : 'are'} evicted (${fix('codexpool restore', evicted)})`,
		);
	}

	if (drained.length > 0) {
		clauses.push(
			`${names(drained)} ${drained.length === 1 ? 'is drained and takes' : 'are drained and take'} no new sessions (${fix('codexpool restore', drained)})`,
		);
	}

	return clauses.join('; ');
}

function names(list: readonly string[]): string {
	return list.length === 1 ? list[0]! : `${list.slice(0, -1).join(', ')} and ${list.at(-1)}`;
}

function fix(command: string, list: readonly string[]): string {
	return list.length === 1 ? `\`${command} ${list[0]}\`` : `\`${command} NAME\` for each`;
}
