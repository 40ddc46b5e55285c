import type {Collected} from './collected.ts';
import type {Tokens} from './types.ts';

/*
From what the readers collected to (1) the history as it happened, with its recorded limit hits and waits, and
(2) the trace a replay runs: sessions as timed requests, with the waits the user had to make taken out (after a
limit hit, the session's later work moves back to the moment of the hit), so a replay decides the waits anew.
*/

export type AccountSeen = {
	readonly id: string;
	/** The plan a reading or the pool named; undefined when nothing did. */
	readonly plan: string | undefined;
	readonly sessions: number;
	readonly requests: number;
};

export type HistorySummary = {
	/** ms since the epoch; undefined for an empty history. */
	readonly from: number | undefined;
	readonly to: number | undefined;
	readonly sessions: number;
	readonly requests: number;
	readonly tokens: Tokens & {readonly total: number};
	readonly accounts: readonly AccountSeen[];
	readonly recordedLimitHits: number;
	readonly recordedWaitHours: number;
	/** Recorded hits per day (UTC, from `from`'s day) and their waits, for the chart and the self-check. */
	readonly recordedWaitByDay: readonly number[];
	readonly malformedLines: number;
	readonly unknownLines: number;
	readonly files: number;
	readonly bytes: number;
};

/** The trace in flat arrays (a month of heavy use is some 10^5 requests): request `r` of session `s` is at `start[s] + k`. */
export type Trace = {
	readonly from: number;
	readonly to: number;
	/** Account ids in the order of `accountOf` indices. */
	readonly accounts: readonly string[];
	readonly sessionCount: number;
	/** Per session: its first request's index, and one past its last. */
	readonly sessionStart: Int32Array;
	readonly sessionEnd: Int32Array;
	readonly sessionAccount: Int32Array;
	/** Per request: time (ms, waits after recorded hits taken out), tokens by kind (uncached input, cached input, output). */
	readonly at: Float64Array;
	readonly uncached: Float64Array;
	readonly cached: Float64Array;
	readonly output: Float64Array;
	/**
	1 for a request that is only the demand of a failed turn nobody followed up (the user gave up): it costs
	nothing, and if it finds no usable account the session ends there (an interruption without wait).
	*/
	readonly abandoned: Uint8Array;
};

type Hit = {at: number; session: string; account: string; nextTurnAt: number | undefined};

const HOUR = 3_600_000;
const DAY = 86_400_000;

/** The recorded limit hits with the next turn of their session filled in. */
export function resolveHits(collected: Collected): Hit[] {
	const startsBySession = new Map<string, number[]>();
	for (const start of collected.turnStarts) {
		let list = startsBySession.get(start.session);
		if (list === undefined) {
			list = [];
			startsBySession.set(start.session, list);
		}

		list.push(start.at);
	}

	for (const list of startsBySession.values()) list.sort((a, b) => a - b);
	return collected.hits
		.map((hit) => {
			const starts = startsBySession.get(hit.session) ?? [];
			return {...hit, nextTurnAt: starts.find((start) => start > hit.at)};
		})
		.sort((a, b) => a.at - b.at);
}

/** The history as it happened. */
export function summarise(collected: Collected, hits: readonly Hit[]): HistorySummary {
	const {requests} = collected;
	let from = Number.POSITIVE_INFINITY;
	let to = Number.NEGATIVE_INFINITY;
	const tokens = {input: 0, cachedInput: 0, output: 0, reasoningOutput: 0};
	const sessions = new Set<string>();
	const perAccount = new Map<string, {sessions: Set<string>; requests: number}>();
	for (let r = 0; r < requests.length; r++) {
		const at = requests.at[r]!;
		from = Math.min(from, at);
		to = Math.max(to, at);
		tokens.input += requests.input[r]!;
		tokens.cachedInput += requests.cachedInput[r]!;
		tokens.output += requests.output[r]!;
		tokens.reasoningOutput += requests.reasoningOutput[r]!;
		const session = requests.sessions.list[requests.session[r]!]!;
		const accountId = requests.accounts.list[requests.account[r]!]!;
		sessions.add(session);
		let account = perAccount.get(accountId);
		if (account === undefined) {
			account = {sessions: new Set(), requests: 0};
			perAccount.set(accountId, account);
		}

		account.sessions.add(session);
		account.requests++;
	}

	for (const hit of hits) {
		from = Math.min(from, hit.at);
		to = Math.max(to, hit.nextTurnAt ?? hit.at);
		sessions.add(hit.session);
	}

	const empty = !Number.isFinite(from);
	const days = empty ? 0 : Math.floor((to - from) / DAY) + 1;
	const waitByDay = new Array<number>(days).fill(0);
	let waitHours = 0;
	for (const hit of hits) {
		const wait = hit.nextTurnAt === undefined ? 0 : (hit.nextTurnAt - hit.at) / HOUR;
		waitHours += wait;
		const day = Math.floor((hit.at - from) / DAY);
		waitByDay[day] = (waitByDay[day] ?? 0) + wait;
	}

	return {
		from: empty ? undefined : from,
		to: empty ? undefined : to,
		sessions: sessions.size,
		requests: requests.length,
		tokens: {...tokens, total: tokens.input + tokens.output},
		accounts: [...perAccount]
			.map(([id, account]) => ({
				id,
				plan: collected.plans.get(id),
				sessions: account.sessions.size,
				requests: account.requests,
			}))
			.sort((a, b) => b.requests - a.requests),
		recordedLimitHits: hits.length,
		recordedWaitHours: waitHours,
		recordedWaitByDay: waitByDay,
		malformedLines: collected.malformedLines,
		unknownLines: collected.unknownLines,
		files: collected.files,
		bytes: collected.bytes,
	};
}

/** The trace a replay runs; `history` gives its span. */
export function buildTrace(collected: Collected, hits: readonly Hit[], history: HistorySummary): Trace {
	// Items are request indices, or -1 - i for the abandoned demand of hits[i]: numbers, not objects, since a
	// year of history has some 300,000 of them.
	const {requests} = collected;
	const bySession = new Map<string, {account: string; items: number[]}>();
	const itemAt = (item: number) => (item >= 0 ? requests.at[item]! : hits[-1 - item]!.at);
	const accountOfSession = (session: string, fallback: string) =>
		collected.sessionAccounts.get(session) ?? fallback;
	const sessionOf = (session: string, account: string) => {
		let entry = bySession.get(session);
		if (entry === undefined) {
			entry = {account: accountOfSession(session, account), items: []};
			bySession.set(session, entry);
		}

		return entry;
	};

	for (let r = 0; r < requests.length; r++) {
		const session = requests.sessions.list[requests.session[r]!]!;
		sessionOf(session, requests.accounts.list[requests.account[r]!]!).items.push(r);
	}

	const hitsBySession = new Map<string, Hit[]>();
	for (const [index, hit] of hits.entries()) {
		const list = hitsBySession.get(hit.session) ?? [];
		list.push(hit);
		hitsBySession.set(hit.session, list);
		// A failed turn nobody followed up: its demand stays in the trace, at no cost.
		if (hit.nextTurnAt === undefined) sessionOf(hit.session, hit.account).items.push(-1 - index);
	}

	const total = [...bySession.values()].reduce((sum, entry) => sum + entry.items.length, 0);
	const accounts = [...new Set([...bySession.values()].map((entry) => entry.account))].sort();
	const accountIndex = new Map(accounts.map((id, index) => [id, index]));
	const sessionCount = bySession.size;
	const trace = {
		from: history.from ?? 0,
		to: history.to ?? 0,
		accounts,
		sessionCount,
		sessionStart: new Int32Array(sessionCount),
		sessionEnd: new Int32Array(sessionCount),
		sessionAccount: new Int32Array(sessionCount),
		at: new Float64Array(total),
		uncached: new Float64Array(total),
		cached: new Float64Array(total),
		output: new Float64Array(total),
		abandoned: new Uint8Array(total),
	};
	// Sessions in order of their first request, so a replay places them in arrival order.
	const ordered = [...bySession.entries()]
		.map(([id, entry]) => ({
			id,
			entry,
			first: entry.items.reduce((min, item) => Math.min(min, itemAt(item)), Number.POSITIVE_INFINITY),
		}))
		.sort((a, b) => a.first - b.first);
	let next = 0;
	ordered.forEach(({id, entry}, s) => {
		entry.items.sort((a, b) => itemAt(a) - itemAt(b));
		const sessionHits = hitsBySession.get(id) ?? [];
		trace.sessionStart[s] = next;
		trace.sessionAccount[s] = accountIndex.get(entry.account)!;
		for (const item of entry.items) {
			// Take out every recorded wait that ended before this request: the user would have gone on at once.
			let waited = 0;
			for (const hit of sessionHits) {
				if (hit.nextTurnAt !== undefined && hit.nextTurnAt <= itemAt(item)) waited += hit.nextTurnAt - hit.at;
			}

			trace.at[next] = itemAt(item) - waited;
			if (item >= 0) {
				trace.uncached[next] = Math.max(0, requests.input[item]! - requests.cachedInput[item]!);
				trace.cached[next] = requests.cachedInput[item]!;
				trace.output[next] = requests.output[item]!;
			} else {
				trace.abandoned[next] = 1;
			}

			next++;
		}

		trace.sessionEnd[s] = next;
	});
	return trace;
}
