import type {IssuerRegistry} from './issuers.ts';

/*
Compaction policy. A `compaction` item's `encrypted_content` can be read only by the account that issued it,
and it stands for the whole conversation before it. So a session whose input holds one stays on its account
while that account is usable, even when the account is drained (a drained account's other sessions move at
their next request). When it must move anyway (its account is exhausted, cooling, needs a login or is
evicted), the item is dropped: the move record says "compacted context dropped" and a warning notice tells
the user that the new account continues without the compacted context (the messages after the compaction,
which Codex resends, are kept).
*/

/**
Which items to take out of a request before it goes to `target`:
- `foreign`: items another account is known to have issued, and items of unknown origin that `target`
  already refused (both would fail with 400 anyway);
- `move`: for a move or a replay on another account, every encrypted item `target` did not issue (unknown
  ones included) and `previous_response_id`;
- `all`: after a 400 `invalid_encrypted_content`, every encrypted item and `previous_response_id`.
*/
export type StripMode = 'foreign' | 'move' | 'all';

export type StripResult = {
	readonly body: Record<string, unknown>;
	readonly removedReasoning: number;
	/** Compaction items dropped: the context they summarised is lost for this session. */
	readonly removedCompaction: number;
	/** Other items whose `encrypted_content` field was removed (the item itself stays). */
	readonly clearedOther: number;
	readonly droppedPreviousResponseId: boolean;
};

type Item = Record<string, unknown> & {encrypted_content?: unknown; type?: unknown};

/** Returns the body to send to `target`; the input body is never mutated (it may be replayed elsewhere). */
export function stripBoundItems(
	body: Readonly<Record<string, unknown>>,
	target: string,
	issuers: IssuerRegistry,
	mode: StripMode,
): StripResult {
	let removedReasoning = 0;
	let removedCompaction = 0;
	let clearedOther = 0;
	const bound = (content: string) => {
		if (mode === 'all') {
			return true;
		}

		const issuer = issuers.issuerOf(content);
		if (mode === 'move') {
			return issuer !== target;
		}

		return issuer === undefined ? issuers.rejectedBy(content, target) : issuer !== target;
	};

	let input = body.input;
	if (Array.isArray(input)) {
		const kept: unknown[] = [];
		for (const raw of input) {
			const item = raw as Item;
			if (typeof item !== 'object' || item === null || typeof item.encrypted_content !== 'string') {
				kept.push(raw);
				continue;
			}

			if (!bound(item.encrypted_content)) {
				kept.push(raw);
			} else if (item.type === 'reasoning') {
				removedReasoning++;
			} else if (item.type === 'compaction' || item.type === 'compaction_summary') {
				removedCompaction++;
			} else {
				const {encrypted_content: _dropped, ...rest} = item;
				kept.push(rest);
				clearedOther++;
			}
		}

		if (kept.length !== input.length || clearedOther > 0) {
			input = kept;
		}
	}

	const droppedPreviousResponseId = mode !== 'foreign' && body.previous_response_id !== undefined;
	if (input === body.input && !droppedPreviousResponseId) {
		return {
			body: body as Record<string, unknown>,
			removedReasoning,
			removedCompaction,
			clearedOther,
			droppedPreviousResponseId,
		};
	}

	const next: Record<string, unknown> = {...body, input};
	if (droppedPreviousResponseId) {
		delete next.previous_response_id;
	}

	return {body: next, removedReasoning, removedCompaction, clearedOther, droppedPreviousResponseId};
}

/**
After `target` answered 400 `invalid_encrypted_content` to `sent`: remember that the items of unknown origin
in it are not `target`'s (the known ones it issued are valid), so the session's next turns leave them out.
*/
export function recordRejectedItems(
	sent: Readonly<Record<string, unknown>>,
	target: string,
	issuers: IssuerRegistry,
): void {
	if (!Array.isArray(sent.input)) {
		return;
	}

	for (const item of sent.input as Item[]) {
		const content = typeof item === 'object' && item !== null ? item.encrypted_content : undefined;
		if (typeof content === 'string' && issuers.issuerOf(content) === undefined) {
			issuers.recordRejected(target, content);
		}
	}
}

/** Whether the input holds a compaction item (such a session stays on its account while it is usable). */
export function hasCompaction(body: Readonly<Record<string, unknown>>): boolean {
	return (
		Array.isArray(body.input) &&
		body.input.some(
			(item) => (item as Item)?.type === 'compaction' && typeof (item as Item).encrypted_content === 'string',
		)
	);
}
