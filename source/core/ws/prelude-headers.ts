import {parseFrame} from './frames.ts';

/** Backend frames that come before `response.created`: over HTTP, what they say comes as response headers. */
export const PRELUDE_TYPES: ReadonlySet<string> = new Set(['codex.rate_limits', 'codex.response.metadata']);

/** Upgrade response headers an HTTP answer has too: the quota (and turn state) and what Codex reads of the model. */
const UPGRADE_PASSED = new Set(['openai-model', 'x-models-etag', 'x-reasoning-included']);

/** The headers of a socket's upgrade response that its first HTTP answer carries. */
export function upgradeHeaders(
	headers: Readonly<Record<string, string | string[] | undefined>>,
): Record<string, string> {
	const passed: Record<string, string> = {};
	for (const [name, value] of Object.entries(headers)) {
		if (typeof value === 'string' && (name.startsWith('x-codex-') || UPGRADE_PASSED.has(name))) {
			passed[name] = value;
		}
	}

	return passed;
}

type Slot = {used_percent?: unknown; window_minutes?: unknown; reset_at?: unknown} | null | undefined;

function put(headers: Record<string, string>, name: string, value: unknown): void {
	if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'string') {
		headers[name] = String(value);
	}
}

/**
The response headers an HTTP answer carries for what the socket said before its first event: the quota of a
`codex.rate_limits` frame as the `x-codex-*` headers (upstream-protocol.md §4), the headers a
`codex.response.metadata` frame carries. An HTTP client riding the socket gets them where HTTP puts them (Codex
reads its rate limits from the headers over HTTP), and its stream starts with `response.created`, as over HTTP.
*/
export function preludeHeaders(frames: readonly string[]): Record<string, string> {
	const headers: Record<string, string> = {};
	for (const text of frames) {
		const frame = parseFrame(text);
		if (frame?.type === 'codex.response.metadata') {
			const carried = frame.headers;
			if (typeof carried === 'object' && carried !== null) {
				for (const [name, value] of Object.entries(carried)) {
					put(headers, name.toLowerCase(), value);
				}
			}
		} else if (frame?.type === 'codex.rate_limits') {
			put(headers, 'x-codex-plan-type', frame.plan_type);
			const limits = (frame.rate_limits ?? {}) as {primary?: Slot; secondary?: Slot};
			for (const slot of ['primary', 'secondary'] as const) {
				const window = limits[slot];
				put(headers, `x-codex-${slot}-used-percent`, window?.used_percent);
				put(headers, `x-codex-${slot}-window-minutes`, window?.window_minutes);
				put(headers, `x-codex-${slot}-reset-at`, window?.reset_at);
			}

			const credits = (frame.credits ?? {}) as Record<string, unknown>;
			put(headers, 'x-codex-credits-has-credits', credits.has_credits);
			put(headers, 'x-codex-credits-unlimited', credits.unlimited);
			put(headers, 'x-codex-credits-balance', credits.balance);
		}
	}

	return headers;
}
