import {createHmac, randomBytes} from 'node:crypto';

/**
Account-bound ciphertext, like the backend's `encrypted_content` on reasoning and compaction items: only the
account that issued it can send it back. The format is opaque to clients; the simulated upstream signs the
issuing account into it so it can refuse it from any other account.
*/
const PREFIX = 'gAAAAB';

export function sealForAccount(accountId: string, kind: string, secret: string): string {
	const payload = Buffer.from(
		JSON.stringify({a: accountId, k: kind, n: randomBytes(12).toString('base64url')}),
	).toString('base64url');
	const tag = createHmac('sha256', secret).update(payload).digest('base64url').slice(0, 22);
	return `${PREFIX}${payload}.${tag}`;
}

/** The account that issued `content`; undefined when it is not ours or was tampered with. */
export function issuingAccount(content: string, secret: string): string | undefined {
	if (!content.startsWith(PREFIX)) {
		return undefined;
	}

	const [payload, tag] = content.slice(PREFIX.length).split('.');
	if (
		!payload ||
		!tag ||
		createHmac('sha256', secret).update(payload).digest('base64url').slice(0, 22) !== tag
	) {
		return undefined;
	}

	try {
		const value = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as {a?: unknown};
		return typeof value.a === 'string' ? value.a : undefined;
	} catch {
		return undefined;
	}
}

/** The first input item whose `encrypted_content` this account cannot verify, if any. */
export function foreignEncryptedItem(input: readonly unknown[], accountId: string, secret: string): unknown {
	return input.find((item) => {
		const content = (item as {encrypted_content?: unknown} | null)?.encrypted_content;
		return typeof content === 'string' && issuingAccount(content, secret) !== accountId;
	});
}

/** The backend's answer to such an item (codex-cli-observed.md §8). */
export const invalidEncryptedContentBody = {
	error: {
		message:
			'The encrypted content for item rs_0 could not be verified. Reason: Encrypted content organization_id did not match the target organization.',
		type: 'invalid_request_error',
		param: null,
		code: 'invalid_encrypted_content',
	},
};
