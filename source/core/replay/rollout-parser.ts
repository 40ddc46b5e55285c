import path from 'node:path';
import type {Collected} from './collected.ts';
import {type LineSink, streamFile} from './line-reader.ts';
import {type Tokens, UNKNOWN_ACCOUNT} from './types.ts';

/*
One Codex rollout file (shared/codex-rollouts.md) to requests, rate-limit readings, turn starts and limit hits.
Only a few line types are decoded; conversation items (most of the bytes) are skipped by their first bytes and
never decoded, and nothing read from a message is kept.
*/

export type ParseOptions = {
	/** Drop what happened before this time (ms since the epoch). */
	readonly since: number;
	/** Sessions read from earlier files: a second copy of a session (another home, a backup) is left out. */
	readonly sessionsRead: Set<string>;
	/** The read buffer to use (one per file read at a time). */
	readonly buffer?: Buffer;
};

const ENVELOPE_TYPES = new Set([
	'session_meta',
	'event_msg',
	'response_item',
	'turn_context',
	'world_state',
	'token_usage_record',
	'compacted',
]);
/** Envelope types a replay decodes; event_msg only for these payload types. */
const DECODED = new Set(['session_meta', 'token_usage_record']);
const EVENTS = new Set(['token_count', 'task_started', 'task_complete', 'turn_aborted']);
const TYPE_KEY = Buffer.from('"type":"');
const UUID = /([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\.jsonl(?:\.zst)?$/i;

/** The envelope type and (for event_msg) the payload type, read from a line's first bytes without decoding it. */
export function peekTypes(prefix: Buffer): {envelope: string | undefined; payload: string | undefined} {
	const first = prefix.indexOf(TYPE_KEY);
	if (first === -1) return {envelope: undefined, payload: undefined};
	const start = first + TYPE_KEY.length;
	const end = prefix.indexOf(0x22, start);
	if (end === -1) return {envelope: undefined, payload: undefined};
	const envelope = prefix.toString('latin1', start, end);
	if (envelope !== 'event_msg') return {envelope, payload: undefined};
	const second = prefix.indexOf(TYPE_KEY, end);
	if (second === -1) return {envelope, payload: undefined};
	const payloadEnd = prefix.indexOf(0x22, second + TYPE_KEY.length);
	return {
		envelope,
		payload: payloadEnd === -1 ? undefined : prefix.toString('latin1', second + TYPE_KEY.length, payloadEnd),
	};
}

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null;
const numberOr = (value: unknown, fallback: number) =>
	typeof value === 'number' && Number.isFinite(value) ? value : fallback;

/** Tokens of a Codex `TokenUsage`, or undefined when it is not one. */
export function tokensOf(usage: unknown): Tokens | undefined {
	if (!isObject(usage) || typeof usage.input_tokens !== 'number') return undefined;
	return {
		input: numberOr(usage.input_tokens, 0),
		cachedInput: numberOr(usage.cached_input_tokens, 0),
		output: numberOr(usage.output_tokens, 0),
		reasoningOutput: numberOr(usage.reasoning_output_tokens, 0),
	};
}

/** Milliseconds encoded in a UUIDv7 (its first 48 bits), or undefined for another kind of id. */
export function uuidV7Time(id: unknown): number | undefined {
	if (typeof id !== 'string' || !/^[0-9a-f]{8}-[0-9a-f]{4}-7/i.test(id)) return undefined;
	return Number.parseInt(id.slice(0, 8) + id.slice(9, 13), 16);
}

function timeOf(line: Json): number | undefined {
	const value = typeof line.timestamp === 'string' ? Date.parse(line.timestamp) : Number.NaN;
	return Number.isFinite(value) ? value : undefined;
}

/** Parses one rollout file into `into`. Never throws for bad content; a file it cannot read throws. */
export function parseRolloutFile(file: string, into: Collected, options: ParseOptions): void {
	const fromName = UUID.exec(path.basename(file))?.[1];
	let session = fromName ?? file;
	let account = UNKNOWN_ACCOUNT;
	let sawMeta = false;
	// A second copy of a session already read: its lines are left out.
	let duplicate = false;
	// Older Codex copied the parent's lines into a fork: requests of turns begun before the fork was made.
	let forkedAt: number | undefined;
	let sawRecord = false;
	// The last request of this file no reading has claimed yet: a reading shows the quota before its request.
	let unclaimedAt: number | undefined;
	// Older files (no token_usage_record): requests come from token_count, counted when the total grew.
	let lastTotal = -1;
	const legacy: {at: number; tokens: Tokens}[] = [];
	const starts: number[] = [];
	const hits: number[] = [];

	const onLine = (line: Json) => {
		if (duplicate) return;
		const at = timeOf(line);
		const payload = line.payload;
		if (at === undefined || !isObject(payload)) {
			into.malformedLines++;
			return;
		}

		switch (line.type) {
			case 'session_meta': {
				if (sawMeta) return;
				sawMeta = true;
				if (typeof payload.id === 'string' && payload.id !== '') session = payload.id;
				if (options.sessionsRead.has(session)) duplicate = true;
				options.sessionsRead.add(session);
				if (typeof payload.forked_from_id === 'string' && typeof payload.timestamp === 'string') {
					forkedAt = Date.parse(payload.timestamp);
				}

				if (typeof payload.creator_account_id === 'string' && payload.creator_account_id !== '') {
					account = payload.creator_account_id;
				}

				return;
			}

			case 'token_usage_record': {
				sawRecord = true;
				const tokens = tokensOf(payload.usage);
				const id = payload.response_id;
				if (tokens === undefined || typeof id !== 'string') {
					into.malformedLines++;
					return;
				}

				const turnStart = uuidV7Time(payload.turn_id);
				if (forkedAt !== undefined && turnStart !== undefined && turnStart < forkedAt) return;
				unclaimedAt = at;
				if (at >= options.since) into.requests.push({at, session, account, ...tokens});
				return;
			}

			case 'event_msg': {
				onEvent(payload, at);
				return;
			}

			default: {
				return;
			}
		}
	};

	const onEvent = (payload: Json, at: number) => {
		switch (payload.type) {
			case 'task_started': {
				const started =
					uuidV7Time(payload.turn_id) ??
					(typeof payload.started_at === 'number' ? payload.started_at * 1000 : at);
				starts.push(started);
				return;
			}

			case 'task_complete': {
				const error = payload.error;
				if (isObject(error) && error.codex_error_info === 'usage_limit_exceeded') hits.push(at);
				return;
			}

			case 'token_count': {
				onTokenCount(payload, at);
				return;
			}

			default: {
				return;
			}
		}
	};

	const onTokenCount = (payload: Json, at: number) => {
		const info = payload.info;
		if (isObject(info) && isObject(info.total_token_usage)) {
			const total = numberOr(info.total_token_usage.total_tokens, -1);
			const last = tokensOf(info.last_token_usage);
			// Older files: a request is a token_count whose running total grew (a repeat or estimate does not).
			if (total > lastTotal && last !== undefined && last.input + last.output > 0) {
				if (!sawRecord) legacy.push({at, tokens: last});
				if (!sawRecord) unclaimedAt ??= at;
			}

			if (total > lastTotal) lastTotal = total;
		}

		const limits = payload.rate_limits;
		if (!isObject(limits)) return;
		// The account's quota is `codex` (or no id in older files); other buckets are separate limits.
		if (limits.limit_id !== undefined && limits.limit_id !== null && limits.limit_id !== 'codex') return;
		if (typeof limits.plan_type === 'string' && limits.plan_type !== '') {
			into.plans.set(account, limits.plan_type);
		}

		let fiveHour: number | undefined;
		let fiveHourResetAt: number | undefined;
		let weekly: number | undefined;
		let weeklyResetAt: number | undefined;
		for (const slot of [limits.primary, limits.secondary]) {
			if (!isObject(slot) || typeof slot.used_percent !== 'number') continue;
			const resetAt =
				typeof slot.resets_at === 'number'
					? slot.resets_at * 1000
					: typeof slot.resets_in_seconds === 'number'
						? at + slot.resets_in_seconds * 1000
						: undefined;
			// Windows are found by their length, not their slot (a weekly-only plan reports it as primary).
			if (slot.window_minutes === 300) {
				fiveHour = slot.used_percent;
				fiveHourResetAt = resetAt;
			} else if (slot.window_minutes === 10_080) {
				weekly = slot.used_percent;
				weeklyResetAt = resetAt;
			}
		}

		if (fiveHour === undefined && weekly === undefined) return;
		const readAt = unclaimedAt === undefined ? at : unclaimedAt - 1;
		unclaimedAt = undefined;
		if (readAt >= options.since) {
			into.readings.push({at: readAt, account, fiveHour, fiveHourResetAt, weekly, weeklyResetAt});
		}
	};

	const sink: LineSink = {
		decide(prefix) {
			const {envelope, payload} = peekTypes(prefix);
			if (envelope === undefined) return 'keep';
			if (DECODED.has(envelope)) return 'keep';
			if (envelope === 'event_msg') return payload === undefined || EVENTS.has(payload) ? 'keep' : 'skip';
			if (!ENVELOPE_TYPES.has(envelope)) into.unknownLines++;
			return 'skip';
		},
		line(buffer) {
			let parsed: unknown;
			try {
				parsed = JSON.parse(buffer.toString('utf8'));
			} catch {
				into.malformedLines++;
				return;
			}

			if (!isObject(parsed) || typeof parsed.type !== 'string') {
				into.malformedLines++;
				return;
			}

			if (!ENVELOPE_TYPES.has(parsed.type)) {
				into.unknownLines++;
				return;
			}

			onLine(parsed);
		},
		skipped(wellFormed) {
			if (!wellFormed) into.malformedLines++;
		},
	};

	into.bytes += streamFile(file, sink, options.buffer);
	into.files++;
	if (!sawRecord && !duplicate) {
		for (const request of legacy) {
			if (request.at >= options.since)
				into.requests.push({at: request.at, session, account, ...request.tokens});
		}
	}

	if (duplicate) return;
	into.sessionAccounts.set(session, account);
	for (const start of starts) if (start >= options.since) into.turnStarts.push({at: start, session});
	for (const hit of hits) if (hit >= options.since) into.hits.push({at: hit, session, account});
}
