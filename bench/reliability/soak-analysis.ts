import type {RequestLogEntry} from '../../source/core/contract.ts';
import type {LoggedRequest} from '../../source/core/simulated-backend/index.ts';
import {type LoadResult, SOAK_REQUEST_HEADER} from './load.ts';

/** How often the upstream saw each client request. */
export type AttemptFigures = {
	/** Upstream requests that carried a client request's id. */
	readonly upstreamAttempts: number;
	/** Client requests by the number of upstream attempts they took (`{1: 9500, 2: 400, ...}`). */
	readonly histogram: Record<number, number>;
	readonly max: number;
	/**
	Client requests sent upstream again after an attempt whose answer had started (status 2xx): a replay after
	the first byte reached the client. Must be 0.
	*/
	readonly replayedAfterFirstByte: number;
	readonly replaySamples: string[];
	/** Upstream attempts naming an id the client never sent (must be 0). */
	readonly unknownIds: number;
};

/** Upstream attempts per client request, from the upstream's log and the header each request carried. */
export function analyseAttempts(
	log: readonly LoggedRequest[],
	results: readonly LoadResult[],
): AttemptFigures {
	const byId = new Map<number, LoggedRequest[]>();
	let upstreamAttempts = 0;
	let unknownIds = 0;
	for (const entry of log) {
		const header = entry.headers[SOAK_REQUEST_HEADER];
		// An accepted WebSocket handshake is no model request: each frame on the socket is one, logged with its own id.
		if (typeof header !== 'string' || entry.status === 101) {
			continue;
		}

		upstreamAttempts++;
		const id = Number(header);
		if (results[id] === undefined) {
			unknownIds++;
			continue;
		}

		const list = byId.get(id) ?? [];
		list.push(entry);
		byId.set(id, list);
	}

	const histogram: Record<number, number> = {};
	let max = 0;
	let replayedAfterFirstByte = 0;
	const replaySamples: string[] = [];
	for (const result of results) {
		const attempts = byId.get(result.id) ?? [];
		histogram[attempts.length] = (histogram[attempts.length] ?? 0) + 1;
		max = Math.max(max, attempts.length);
		const answered = attempts.findIndex((attempt) => attempt.status >= 200 && attempt.status < 300);
		if (answered !== -1 && answered < attempts.length - 1) {
			replayedAfterFirstByte++;
			if (replaySamples.length < 5) {
				replaySamples.push(
					`request ${result.id}: ${attempts.map((a) => `${a.account ?? '?'} ${a.status}${a.fault ? ` (${a.fault})` : ''}`).join(' → ')}`,
				);
			}
		}
	}

	return {upstreamAttempts, histogram, max, replayedAfterFirstByte, replaySamples, unknownIds};
}

/** The proxy's request log against what the clients sent, session by session. */
export type LogFigures = {
	readonly entries: number;
	/** Sessions with more log entries than requests sent in them: something answered or logged twice. Must be 0. */
	readonly sessionsWithExtraEntries: number;
	/** Requests with no log entry (refused before the engine, or lost). */
	readonly requestsWithoutEntry: number;
};

export function analyseRequestLog(
	entries: readonly RequestLogEntry[],
	results: readonly LoadResult[],
): LogFigures {
	const sent = new Map<string, number>();
	for (const result of results) {
		sent.set(result.session, (sent.get(result.session) ?? 0) + 1);
	}

	const logged = new Map<string, number>();
	for (const entry of entries) {
		if (entry.sessionId !== undefined && sent.has(entry.sessionId)) {
			logged.set(entry.sessionId, (logged.get(entry.sessionId) ?? 0) + 1);
		}
	}

	let sessionsWithExtraEntries = 0;
	let requestsWithoutEntry = 0;
	for (const [session, count] of sent) {
		const seen = logged.get(session) ?? 0;
		if (seen > count) {
			sessionsWithExtraEntries++;
		} else {
			requestsWithoutEntry += count - seen;
		}
	}

	return {entries: entries.length, sessionsWithExtraEntries, requestsWithoutEntry};
}
