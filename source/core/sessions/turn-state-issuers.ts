import type {IssuerRegistry} from './issuers.ts';

/**
Who issued each `x-codex-turn-state` the pool passes on, kept in the issuer registry (hashed, bounded) with the
encrypted items: a turn state routes to the account that issued it, so it must reach that account and no other.
Codex 0.171 takes it from a `response.metadata` event (and over HTTP from the response headers), the first of a
turn winning, and sends it back with every later request of that turn (ws/turn-state.ts).
*/
export const TURN_STATE = 'x-codex-turn-state';

/** Events whose `headers` may carry a turn state (the Responses stream's and the backend's own). */
const METADATA_TYPES: ReadonlySet<string> = new Set(['response.metadata', 'codex.response.metadata']);

/** Records who issued the turn state a metadata event (`response.metadata`, `codex.response.metadata`) carries. */
export function recordFrameTurnState(
	event: Record<string, unknown>,
	accountId: string,
	issuers: IssuerRegistry,
): void {
	if (typeof event.type !== 'string' || !METADATA_TYPES.has(event.type)) {
		return;
	}

	const headers = event.headers;
	if (typeof headers === 'object' && headers !== null) {
		recordHeaderTurnState(headers as Record<string, unknown>, accountId, issuers);
	}
}

/** Records the turn state of response headers (an HTTP answer, an upgrade, a metadata event's). */
export function recordHeaderTurnState(
	headers: Readonly<Record<string, unknown>>,
	accountId: string,
	issuers: IssuerRegistry,
): void {
	for (const [name, value] of Object.entries(headers)) {
		// Codex reads the name case-insensitively, and a value that is a list by its first element.
		const first = Array.isArray(value) ? value[0] : value;
		if (name.toLowerCase() === TURN_STATE && typeof first === 'string' && first !== '') {
			issuers.record(accountId, first);
		}
	}
}

/** Whether another account than `accountId` issued `value` (false when the pool never saw it). */
export function issuedByAnother(
	value: string | undefined,
	accountId: string,
	issuers: IssuerRegistry,
): boolean {
	if (value === undefined || value === '') {
		return false;
	}

	const issuer = issuers.issuerOf(value);
	return issuer !== undefined && issuer !== accountId;
}
