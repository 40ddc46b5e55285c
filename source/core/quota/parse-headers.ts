import {buildQuota, type RawWindow, toNumber} from './build.ts';
import type {AccountQuota} from './types.ts';

/** Response headers as fetch/undici (`Headers`) or node:http (a lower-case record) give them. */
export type HeaderSource =
	| {readonly get: (name: string) => string | null}
	| Readonly<Record<string, string | readonly string[] | undefined>>;

/**
The quota an upstream response reports in its `x-codex-primary-*` / `x-codex-secondary-*` headers
(used-percent, window-minutes, reset-at in unix seconds, falling back to reset-after-seconds), or undefined
when it carries none. Windows are classified by length, not slot (see buildQuota).
*/
export function parseQuotaHeaders(headers: HeaderSource, observedAt: number): AccountQuota | undefined {
	const primary = readSlot(headers, 'primary');
	const secondary = readSlot(headers, 'secondary');
	if (primary === undefined && secondary === undefined) {
		return undefined;
	}

	return buildQuota({primary, secondary}, observedAt);
}

function readSlot(headers: HeaderSource, slot: 'primary' | 'secondary'): RawWindow | undefined {
	const value = (suffix: string) => toNumber(header(headers, `x-codex-${slot}-${suffix}`));
	const usedPercent = value('used-percent');
	if (usedPercent === undefined) {
		return undefined;
	}

	const resetAtSeconds = value('reset-at');
	return {
		usedPercent,
		lengthMinutes: value('window-minutes'),
		resetAt: resetAtSeconds === undefined ? undefined : resetAtSeconds * 1000,
		resetAfterSeconds: value('reset-after-seconds'),
	};
}

function header(headers: HeaderSource, name: string): string | undefined {
	if (typeof headers.get === 'function') {
		return (headers as {get: (name: string) => string | null}).get(name) ?? undefined;
	}

	const record = headers as Readonly<Record<string, string | readonly string[] | undefined>>;
	const value = record[name] ?? findCaseInsensitive(record, name);
	return Array.isArray(value) ? value[0] : (value as string | undefined);
}

function findCaseInsensitive(
	record: Readonly<Record<string, string | readonly string[] | undefined>>,
	name: string,
): string | readonly string[] | undefined {
	for (const [key, value] of Object.entries(record)) {
		if (key.toLowerCase() === name) {
			return value;
		}
	}

	return undefined;
}
