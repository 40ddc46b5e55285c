import type {Pool} from '../pool/pool.ts';
import type {DispatchFailure} from '../proxy/dispatch-types.ts';
import type {AccountQuota, QuotaWindow} from '../quota/types.ts';

/** A frame's `type` read from its first bytes (frames put it first), without parsing the rest. */
const TYPE_AT_START = /^\{\s*"type"\s*:\s*"([^"\\]{1,80})"/;

/**
The `type` of a JSON text frame. Deltas, most of a stream, are recognised from their first bytes and never
parsed; a frame whose type is not first is parsed whole.
*/
export function frameType(text: string): string | undefined {
	const match = TYPE_AT_START.exec(text.slice(0, 100));
	if (match !== null) {
		return match[1];
	}

	try {
		const parsed = JSON.parse(text) as {type?: unknown};
		return typeof parsed.type === 'string' ? parsed.type : undefined;
	} catch {
		return undefined;
	}
}

const TYPE_PREFIX = Buffer.from('{"type":"');
/** The stream's most frequent frame, recognised by comparing bytes (no string is made for it). */
const TEXT_DELTA = 'response.output_text.delta';
const TEXT_DELTA_PREFIX = Buffer.from(`{"type":"${TEXT_DELTA}"`);

/**
The `type` of a frame as it came off a socket, read from its first bytes without decoding the rest (a quote
byte never occurs inside a UTF-8 character); a frame whose type is not first is decoded and parsed whole.
*/
export function bufferFrameType(data: Buffer): string | undefined {
	if (startsWith(data, TEXT_DELTA_PREFIX)) {
		return TEXT_DELTA;
	}

	if (startsWith(data, TYPE_PREFIX)) {
		// The closing quote, with no escape before it (a type with one is parsed whole).
		const end = data.indexOf(0x22, TYPE_PREFIX.length);
		const backslash = data.indexOf(0x5c, TYPE_PREFIX.length);
		if (end > TYPE_PREFIX.length && end <= 100 && (backslash === -1 || backslash > end)) {
			return data.toString('utf8', TYPE_PREFIX.length, end);
		}
	}

	return frameType(data.toString());
}

/**
Whether `data` begins with `prefix`, byte by byte from the prefix's end (where the types of one stream differ):
for the 10-40 bytes of a type prefix, about 50 ns a frame against 230 for `Buffer#compare` with offsets, which
checks its arguments and crosses into C++ (measured on Node 20; every streamed event goes through here).
*/
export function startsWith(data: Buffer, prefix: Buffer): boolean {
	if (data.length < prefix.length) {
		return false;
	}

	for (let index = prefix.length - 1; index >= 0; index--) {
		if (data[index] !== prefix[index]) {
			return false;
		}
	}

	return true;
}

/** Parses a frame known to be a JSON object (undefined if it is not). */
export function parseFrame(text: string): Record<string, unknown> | undefined {
	try {
		const parsed: unknown = JSON.parse(text);
		return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
			? (parsed as Record<string, unknown>)
			: undefined;
	} catch {
		return undefined;
	}
}

/**
An error as the backend sends it over WebSocket; Codex maps it like the HTTP status and reads the quota
headers inside (`responses_websocket.rs`, wrapped errors).
*/
export function errorFrame(
	status: number,
	error: DispatchFailure['error'],
	headers: Readonly<Record<string, string>> = {},
): string {
	return JSON.stringify({
		type: 'error',
		status,
		error: {...error, code: typeof error.code === 'string' ? error.code : error.type},
		headers,
	});
}

/** An upstream's refusal of a request (its status, else 400) as an `invalid_request_error` frame. */
export function invalidRequestFrame(status: number | undefined, message: string): string {
	return errorFrame(status ?? 400, {type: 'invalid_request_error', message});
}

/** A request no socket of its account could answer (reopened too often, or its chain unknown): 502. */
export function unavailableFrame(reason: string): string {
	return errorFrame(502, {type: 'upstream_error', code: 'upstream_unavailable', message: reason});
}

/** A request the pool refused before sending it (an error with `status` and `error`, as `/v1`'s prepare throws). */
export function refusalFrame(error: unknown): string {
	const refusal = error as {status?: number; error?: {type: string; message: string}};
	return errorFrame(
		refusal.status ?? 400,
		refusal.error ?? {type: 'invalid_request_error', message: String(error)},
	);
}

/** The backend's answer to a `previous_response_id` it does not hold: Codex resends the full input on it. */
export function previousNotFoundFrame(id: unknown): string {
	return errorFrame(400, {
		type: 'invalid_request_error',
		code: 'previous_response_not_found',
		message: `Previous response with id '${String(id)}' not found.`,
	});
}

function windowHeaders(
	slot: 'primary' | 'secondary',
	window: QuotaWindow | undefined,
): Record<string, string> {
	if (window === undefined) {
		return {};
	}

	const headers: Record<string, string> = {
		[`x-codex-${slot}-used-percent`]: String(window.usedPercent),
		[`x-codex-${slot}-window-minutes`]: String(window.lengthMinutes),
	};
	if (window.resetAt !== undefined) {
		headers[`x-codex-${slot}-reset-at`] = String(Math.ceil(window.resetAt / 1000));
	}

	return headers;
}

/** The quota headers of an account as the backend would send them (5-hour window primary, weekly secondary). */
export function quotaHeaders(quota: AccountQuota | undefined): Record<string, string> {
	if (quota === undefined) {
		return {};
	}

	return {...windowHeaders('primary', quota.fiveHour), ...windowHeaders('secondary', quota.weekly)};
}

/**
The frame for a request no account could serve: the engine's failure (429 `usage_limit_reached` with the
earliest `resets_at` when every account rests), with the quota headers of the account usable first, so Codex
prints when to come back and shows the limits.
*/
export function noAccountFrame(failure: DispatchFailure, pool: Pool): string {
	let first: {at: number; quota: AccountQuota | undefined} | undefined;
	for (const account of pool.list()) {
		const at = pool.usableAt(account.record.id);
		if (at !== undefined && (first === undefined || at < first.at)) {
			first = {at, quota: account.quota};
		}
	}

	const headers = failure.status === 429 ? quotaHeaders(first?.quota) : {};
	return errorFrame(failure.status, failure.error, headers);
}
