import {createHash, randomBytes, timingSafeEqual} from 'node:crypto';
import type {Clock} from '../clock.ts';
import {systemClock} from '../clock.ts';
import type {PoolKeyRecord} from '../store/types.ts';

/** Where pool keys live: the store's `keys` (only hashes), read and replaced as a whole. */
export type KeyStorage = {
	getKeys: () => readonly PoolKeyRecord[];
	setKeys: (records: readonly PoolKeyRecord[]) => void;
};

/** A name or id that matches no key, or a name already taken. */
export class PoolKeyError extends Error {
	override name = 'PoolKeyError';
}

/** Every key starts with this, so a leaked one is recognisable (and secret scanners can match it). */
export const keyPrefix = 'cxp_';

/** How many characters of a key are kept to recognise it in `keys list`: `cxp_` plus 8. */
const shownLength = keyPrefix.length + 8;

/** `lastUsedAt` is written at most this often per key, so a busy client does not rewrite the store per request. */
const lastUsedResolution = 60_000;

/** The pool-key operations: create (the key is returned once), verify, list and revoke. */
export type PoolKeys = {
	create: (name?: string) => {readonly key: string; readonly record: PoolKeyRecord};
	verify: (presented: string) => PoolKeyRecord | undefined;
	list: () => readonly PoolKeyRecord[];
	revoke: (idOrName: string) => PoolKeyRecord;
};

/** sha256 of a key, hex: what the store keeps instead of the key. */
export function hashKey(key: string): string {
	return createHash('sha256').update(key, 'utf8').digest('hex');
}

/**
Pool keys over a storage. A key is `cxp_` + 32 random bytes in base64url, shown once at creation; the store
keeps its sha256, a short prefix, the name and times. `verify` hashes what was presented and compares it with
every stored hash in constant time, without stopping at a match or filtering by prefix, so the time taken
says nothing about which or how many keys exist.
*/
export function createPoolKeys(
	storage: KeyStorage,
	options: {clock?: Clock; random?: (size: number) => Buffer} = {},
): PoolKeys {
	const clock = options.clock ?? systemClock;
	const random = options.random ?? randomBytes;

	return {
		create(name) {
			const records = storage.getKeys();
			const chosen = name?.trim() || nextName(records);
			if (records.some((record) => record.name === chosen)) {
				throw new PoolKeyError(
					`A pool key named "${chosen}" exists already. Choose another name with --name, or revoke it first.`,
				);
			}

			const key = keyPrefix + random(32).toString('base64url');
			const record: PoolKeyRecord = {
				id: `key_${random(6).toString('hex')}`,
				name: chosen,
				prefix: key.slice(0, shownLength),
				hash: hashKey(key),
				createdAt: clock.now(),
				lastUsedAt: undefined,
			};
			storage.setKeys([...records, record]);
			return {key, record};
		},

		verify(presented) {
			const records = storage.getKeys();
			const candidate = Buffer.from(hashKey(presented), 'hex');
			let match: PoolKeyRecord | undefined;
			for (const record of records) {
				const stored = Buffer.from(record.hash, 'hex');
				// A malformed stored hash must neither throw nor end the loop early: compare zeros instead.
				const wellFormed = stored.length === candidate.length;
				const equal =
					timingSafeEqual(wellFormed ? stored : Buffer.alloc(candidate.length), candidate) && wellFormed;
				if (equal && match === undefined) {
					match = record;
				}
			}

			if (match === undefined) {
				return undefined;
			}

			const now = clock.now();
			if (match.lastUsedAt === undefined || now - match.lastUsedAt >= lastUsedResolution) {
				const used = {...match, lastUsedAt: now};
				storage.setKeys(storage.getKeys().map((record) => (record.id === used.id ? used : record)));
				return used;
			}

			return match;
		},

		list: () => storage.getKeys(),

		revoke(idOrName) {
			const records = storage.getKeys();
			const wanted = idOrName.trim();
			const byId = records.find((record) => record.id === wanted);
			const byName = records.filter((record) => record.name === wanted);
			const target = byId ?? (byName.length === 1 ? byName[0] : undefined);
			if (target === undefined) {
				const known = records.map((record) => `${record.id} (${record.name})`).join(', ') || 'none';
				throw new PoolKeyError(
					`No pool key has the id or name "${idOrName}". Keys: ${known}. See \`codexpool keys list\`.`,
				);
			}

			storage.setKeys(records.filter((record) => record.id !== target.id));
			return target;
		},
	};
}

function nextName(records: readonly PoolKeyRecord[]): string {
	const names = new Set(records.map((record) => record.name));
	let index = records.length + 1;
	while (names.has(`key-${index}`)) {
		index++;
	}

	return `key-${index}`;
}

/** Keys in memory, for tests and the demo. */
export function createMemoryKeyStorage(initial: readonly PoolKeyRecord[] = []): KeyStorage {
	let records = [...initial];
	return {
		getKeys: () => records,
		setKeys(next) {
			records = [...next];
		},
	};
}
