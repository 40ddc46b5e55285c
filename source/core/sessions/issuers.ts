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
	readonly size: number;
};

export function hashEncrypted(encryptedContent: string): string {
	return createHash('sha256').update(encryptedContent).digest('base64url').slice(0, 22);
}

export function createIssuerRegistry(capacity = 100_000): IssuerRegistry {
	const issuers = new Map<string, string>();
	return {
		record(accountId, encryptedContent) {
			const key = hashEncrypted(encryptedContent);
			issuers.delete(key);
			issuers.set(key, accountId);
			if (issuers.size > capacity) {
				const oldest = issuers.keys().next().value;
				if (oldest !== undefined) {
					issuers.delete(oldest);
				}
			}
		},
		issuerOf: (encryptedContent) => issuers.get(hashEncrypted(encryptedContent)),
		get size() {
			return issuers.size;
		},
	};
}
