import type {PoolAccount} from '../pool/pool.ts';

/** The reasons an account rests after failing (a backoff), as opposed to waiting for its quota. */
const failureWords = {
	auth: (names: string) => `${names} refused (401) even after a token refresh`,
	server: (names: string) => `${names} answered with server errors`,
	connect: (names: string) => `${names} could not reach ChatGPT`,
} as const;

type FailureReason = keyof typeof failureWords;

/**
When every account that waits rests only because it failed recently (a 401 the refresh did not cure, server
errors, no connection) and none waits for its quota: what each did, e.g. "alice refused (401) even after a token
refresh; bob answered with server errors". Undefined when any of them waits for its quota (a usage limit, a cap,
a 429): then the answer is the usage limit with its reset.
*/
export function failureRestWords(
	waiting: readonly PoolAccount[],
	usableAt: (id: string) => number | undefined,
	now: number,
): string | undefined {
	const byReason = new Map<FailureReason, string[]>();
	for (const account of waiting) {
		const {health} = account;
		const at = usableAt(account.record.id);
		if (
			health.status !== 'cooling' ||
			!(health.reason in failureWords) ||
			health.until <= now ||
			at === undefined ||
			at > health.until
		) {
			return undefined;
		}

		const reason = health.reason as FailureReason;
		byReason.set(reason, [...(byReason.get(reason) ?? []), account.record.name]);
	}

	if (byReason.size === 0) {
		return undefined;
	}

	return [...byReason]
		.map(([reason, names]) =>
			failureWords[reason](
				names.length === 1 ? names[0]! : `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`,
			),
		)
		.join('; ');
}
