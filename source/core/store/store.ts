import fs from 'node:fs';
import path from 'node:path';
import Conf, {type Schema} from 'conf';
import {ensurePrivateFolder} from '../home.ts';
import type {AccountCaps, Marks} from '../model.ts';
import {
	accountsDamage,
	copyAside,
	currentDamage,
	type StoreDamage,
	splitAccounts,
	wholeFileDamage,
} from './damage.ts';
import {withDefaults} from './defaults.ts';
import {
	deepFreeze,
	fileSignature,
	removeStaleTempFiles,
	StoreCorruptError,
	setAside,
	tightenMode,
} from './file-safety.ts';
import {storeSchema} from './schema.ts';
import type {AccountRecord, LoginProblem, PoolKeyRecord, Settings, Tokens} from './types.ts';

/** What the store file holds. */
export type StoreData = {
	readonly version: number;
	readonly accounts: readonly AccountRecord[];
	/** Possibly partial (written by an older version): read it through `Store.getSettings`. */
	readonly settings: Partial<Settings>;
	readonly keys: readonly PoolKeyRecord[];
	/** The scheduler's plan, any JSON value (owned by the scheduler). */
	readonly schedulerPlan?: unknown;
	/** What was set aside, said until its copy is dealt with (`Store.damage`). */
	readonly damage?: readonly StoreDamage[];
};

/** The file name of the store inside the home folder. */
export const storeFileName = 'codexpool.json';

const emptyData: StoreData = {version: 1, accounts: [], settings: {}, keys: []};

/**
The codexpool store: accounts with their tokens, settings, pool keys and the scheduler plan, in
`<home>/codexpool.json` (mode 0600, folder 0700, written atomically by conf through `atomically`: temp file,
fsync, rename). Reads are served from memory and reloaded when the file changes on disk (another codexpool
process wrote it). Every write is synchronous: when a method returns, the change is on disk.
*/
export class Store {
	readonly home: string;
	readonly path: string;
	readonly #conf: Conf<StoreData>;
	readonly #listeners = new Set<(data: StoreData) => void>();
	#data: StoreData = emptyData;
	#signature = '';

	constructor(home: string) {
		ensurePrivateFolder(home);
		this.home = home;
		this.path = path.join(home, storeFileName);
		removeStaleTempFiles(home, storeFileName);
		this.#conf = openConf(home, this.path);
		tightenMode(this.path);
		this.#reload();
	}

	/** The whole file as last read or written (frozen). */
	data(): StoreData {
		this.#refresh();
		return this.#data;
	}

	listAccounts(): readonly AccountRecord[] {
		return this.data().accounts;
	}

	getAccount(id: string): AccountRecord | undefined {
		return this.data().accounts.find((account) => account.id === id);
	}

	/** Adds an account. Throws if its id (the ChatGPT account) or its name is already saved. */
	addAccount(account: AccountRecord): AccountRecord {
		this.#mutate((data) => {
			if (data.accounts.some((other) => other.id === account.id)) {
				throw new Error(`The ChatGPT account ${account.id} is already saved.`);
			}

			assertNameFree(data.accounts, account.name, account.id);
			return {...data, accounts: [...data.accounts, account]};
		});
		return this.getAccount(account.id)!;
	}

	/** Changes one account; `change` gets the current record and returns the new one (its id cannot change). */
	updateAccount(id: string, change: (account: AccountRecord) => AccountRecord): AccountRecord {
		this.#mutate((data) => {
			const current = data.accounts.find((account) => account.id === id);
			if (current === undefined) {
				throw new Error(`No saved account has the id ${id}: list them with \`codexpool accounts\`.`);
			}

			const next = {...change(current), id};
			assertNameFree(data.accounts, next.name, id);
			return {...data, accounts: data.accounts.map((account) => (account.id === id ? next : account))};
		});
		return this.getAccount(id)!;
	}

	/**
	Changes several accounts in one write: all of the change is saved, or (when it throws, or leaves two
	accounts with one id or one name) none of it.
	*/
	replaceAccounts(
		change: (accounts: readonly AccountRecord[]) => readonly AccountRecord[],
	): readonly AccountRecord[] {
		this.#mutate((data) => {
			const accounts = change(data.accounts);
			const ids = new Set<string>();
			for (const account of accounts) {
				if (ids.has(account.id)) {
					throw new Error(`The ChatGPT account ${account.id} would be saved twice.`);
				}

				ids.add(account.id);
				assertNameFree(accounts, account.name, account.id);
			}

			return {...data, accounts};
		});
		return this.listAccounts();
	}

	/** Removes an account; false when there was none with this id. */
	removeAccount(id: string): boolean {
		let removed = false;
		this.#mutate((data) => {
			removed = data.accounts.some((account) => account.id === id);
			return {...data, accounts: data.accounts.filter((account) => account.id !== id)};
		});
		return removed;
	}

	/**
	Saves new tokens (and, read from a new id token, the email and plan) for an account. Returns only once the
	file on disk holds them: a rotated refresh token must be saved before anything can use it.
	*/
	updateTokens(
		id: string,
		tokens: Tokens,
		claims: {readonly email?: string | undefined; readonly plan?: string | undefined} = {},
	): AccountRecord {
		return this.updateAccount(id, (account) => ({
			...account,
			tokens,
			email: claims.email ?? account.email,
			plan: claims.plan ?? account.plan,
		}));
	}

	setMarks(id: string, marks: Marks): AccountRecord {
		return this.updateAccount(id, (account) => ({...account, marks}));
	}

	/** Sets the account's caps, or takes them off (undefined). */
	setCaps(id: string, caps: AccountCaps | undefined): AccountRecord {
		return this.updateAccount(id, ({caps: _old, ...account}) =>
			caps === undefined ? account : {...account, caps},
		);
	}

	/** Marks the account as needing a fresh login (or clears that with undefined). */
	setNeedsLogin(id: string, problem: LoginProblem | undefined): AccountRecord {
		return this.updateAccount(id, (account) => ({...account, needsLogin: problem}));
	}

	/**
	What of this store was set aside (a damaged file, accounts that could not be used) while its copy is still
	there: every command says it, so a damaged store is not mistaken for an empty one.
	*/
	damage(): readonly StoreDamage[] {
		return currentDamage(this.data().damage);
	}

	getSettings(): Settings {
		return withDefaults(this.data().settings);
	}

	/** Changes some settings; nested objects (scheduler, models) are replaced as given. */
	setSettings(patch: Partial<Settings>): Settings {
		this.#mutate((data) => ({...data, settings: {...withDefaults(data.settings), ...patch}}));
		return this.getSettings();
	}

	getKeys(): readonly PoolKeyRecord[] {
		return this.data().keys;
	}

	setKeys(keys: readonly PoolKeyRecord[]): void {
		this.#mutate((data) => ({...data, keys}));
	}

	getSchedulerPlan(): unknown {
		return this.data().schedulerPlan;
	}

	setSchedulerPlan(plan: unknown): void {
		this.#mutate((data) => ({...data, schedulerPlan: plan}));
	}

	/** Calls `listener` after every change, ours or one another process made (seen at the next read). */
	onDidChange(listener: (data: StoreData) => void): () => void {
		this.#listeners.add(listener);
		return () => {
			this.#listeners.delete(listener);
		};
	}

	/**
	Checks the file every `intervalMs` so that changes another process makes (an import or a login while the
	daemon runs) reach `onDidChange` listeners without waiting for a read. Returns the function that stops it.
	*/
	watch(intervalMs = 1000): () => void {
		const timer = setInterval(() => {
			try {
				this.#refresh();
			} catch {
				// A damaged file was set aside by #reload; the next write recreates the store from memory.
			}
		}, intervalMs);
		timer.unref();
		return () => clearInterval(timer);
	}

	#mutate(change: (data: StoreData) => StoreData): void {
		this.#refresh();
		// The JSON round trip drops undefined fields (conf validates before serialising) and copies.
		const next = JSON.parse(JSON.stringify(change(this.#data))) as StoreData;
		this.#conf.store = next;
		this.#data = deepFreeze(next);
		this.#signature = fileSignature(this.path);
		this.#emit();
	}

	#refresh(): void {
		if (fileSignature(this.path) !== this.#signature) {
			this.#reload();
			this.#emit();
		}
	}

	#reload(): void {
		this.#signature = fileSignature(this.path);
		let raw: Partial<StoreData>;
		try {
			raw = this.#conf.store;
		} catch (error) {
			const problem = setAside(this.path, error);
			if (problem instanceof StoreCorruptError) {
				// What is in memory is saved in place of the file set aside, with a word on what happened.
				this.#data = startAfresh(this.path, problem, this.#data);
			}

			this.#signature = fileSignature(this.path);
			throw problem;
		}

		let data: StoreData = {...emptyData, ...raw};
		const {good, bad} = splitAccounts(data.accounts);
		if (bad.length > 0) {
			// The file as it was is kept; the store goes on with the accounts that can be used.
			const at = Date.now();
			const aside = copyAside(this.path, at);
			data = {
				...data,
				accounts: good,
				damage: [...(data.damage ?? []), accountsDamage(aside, bad, good.length, at)],
			};
			this.#conf.store = JSON.parse(JSON.stringify(data)) as StoreData;
			this.#signature = fileSignature(this.path);
		}

		this.#data = deepFreeze(data);
	}

	#emit(): void {
		for (const listener of this.#listeners) {
			listener(this.#data);
		}
	}
}

/** Opens the store of a home folder (created 0700 when missing). */
export function openStore(home: string): Store {
	return new Store(home);
}

function openConf(home: string, file: string): Conf<StoreData> {
	try {
		return new Conf<StoreData>({
			cwd: home,
			configName: path.basename(storeFileName, '.json'),
			// conf's Schema type is stricter than plain JSON schema objects; the shape is the same.
			schema: storeSchema as unknown as Schema<StoreData>,
			defaults: emptyData as StoreData,
			configFileMode: 0o600,
			clearInvalidConfig: false,
			accessPropertiesByDotNotation: false,
		});
	} catch (error) {
		const problem = setAside(file, error);
		if (problem instanceof StoreCorruptError) {
			startAfresh(file, problem, emptyData);
		}

		throw problem;
	}
}

/**
After the store file was set aside whole: a new file with `data` (what a running store still holds, else
nothing) and the damage, so that the next commands say what happened instead of "no accounts yet".
*/
function startAfresh(file: string, problem: StoreCorruptError, data: StoreData): StoreData {
	const next: StoreData = {
		...data,
		damage: [...(data.damage ?? []), wholeFileDamage(problem.aside, problem.reason, Date.now())],
	};
	fs.writeFileSync(file, `${JSON.stringify(next, null, '\t')}\n`, {mode: 0o600, flag: 'wx'});
	return deepFreeze(next);
}

function assertNameFree(accounts: readonly AccountRecord[], name: string, ownId: string): void {
	const wanted = name.toLowerCase();
	const other = accounts.find((account) => account.id !== ownId && account.name.toLowerCase() === wanted);
	if (other !== undefined) {
		throw new Error(`The name "${name}" is already used by another account: choose another with --name.`);
	}
}

/** A name not used by any account yet: `base`, else `base-2`, `base-3`, ... */
export function uniqueAccountName(accounts: readonly AccountRecord[], base: string): string {
	const taken = new Set(accounts.map((account) => account.name.toLowerCase()));
	if (!taken.has(base.toLowerCase())) {
		return base;
	}

	for (let n = 2; ; n++) {
		const candidate = `${base}-${n}`;
		if (!taken.has(candidate.toLowerCase())) {
			return candidate;
		}
	}
}

export {StoreCorruptError};
