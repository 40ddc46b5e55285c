import {ReadingTable, RequestTable} from './tables.ts';
import type {TurnStart} from './types.ts';

/** Everything the readers found, across every file and source. */
export type Collected = {
	requests: RequestTable;
	readings: ReadingTable;
	/** Limit hits as failed turns (their `nextTurnAt` is filled in once every turn of the session is known). */
	hits: {at: number; session: string; account: string}[];
	turnStarts: TurnStart[];
	/** Account → plan, where a reading or the pool's record named it. */
	plans: Map<string, string>;
	/** Session → account, from `session_meta.creator_account_id` or the pool's record. */
	sessionAccounts: Map<string, string>;
	/** Lines that could not be used: unparseable, truncated, or of an unknown type. */
	malformedLines: number;
	/** Of those, lines of a type this version does not know (skipped, as Codex adds types with releases). */
	unknownLines: number;
	files: number;
	bytes: number;
};

export function emptyCollected(): Collected {
	return {
		requests: new RequestTable(),
		readings: new ReadingTable(),
		hits: [],
		turnStarts: [],
		plans: new Map(),
		sessionAccounts: new Map(),
		malformedLines: 0,
		unknownLines: 0,
		files: 0,
		bytes: 0,
	};
}
