import {createHash} from 'node:crypto';

/**
Which account issued each encrypted item (reasoning or compaction `encrypted_content`) that passed through
the proxy. Only a short hash of the ciphertext is kept, in insertion order, and the oldest entries are
dropped past `capacity`, so memory stays bounded however long the proxy runs.
*/
export type IssuerRegistry = {
	record: (accountId: string, encryptedContent: string) => void;
	/** The account that issued this ciphertext, or undefined if it did not pass through this proxy. */
	issuerOf: (encryptedContent: string) => string | undefined;
	/**
	An account answered 400 `invalid_encrypted_content` to a request holding this ciphertext of unknown
	origin (a session begun before the switch to the pool): it is not that account's, and the next request
	of the session to that account leaves it out instead of paying for the same 400 again.
	*/
	recordRejected: (accountId: string, encryptedContent: string) => void;
	rejectedBy: (encryptedContent: string, accountId: string) => boolean;
	readonly size: number;
};

export function hashEncrypted(encryptedContent: string): string {
	return createHash('sha256').update(encryptedContent).digest('base64url').slice(0, 22);
}

export function createIssuerRegistry(capacity = 100_000): IssuerRegistry {
	const issuers = new Map<string, string>();
	// Keys "hash account": a ciphertext of unknown origin that this account refused.
	const rejected = new Map<string, true>();
	/** Insert as the newest entry; drop the oldest past the capacity. */
	const remember = <V>(map: Map<string, V>, key: string, value: V) => {
		map.delete(key);
		map.set(key, value);
		if (map.size > capacity) {
			const oldest = map.keys().next().value;
			if (oldest !== undefined) {
				map.delete(oldest);
			}
		}
	};

	return {
		record(accountId, encryptedContent) {
			remember(issuers, hashEncrypted(encryptedContent), accountId);
		},
		issuerOf: (encryptedContent) => issuers.get(hashEncrypted(encryptedContent)),
		recordRejected(accountId, encryptedContent) {
			remember(rejected, `${hashEncrypted(encryptedContent)} ${accountId}`, true);
		},
		rejectedBy: (encryptedContent, accountId) =>
			rejected.has(`${hashEncrypted(encryptedContent)} ${accountId}`),
		get size() {
			return issuers.size;
		},
	};
}
