import path from 'node:path';

/**
One line of the pool's own request history (`<home>/history/requests*.jsonl`): when a request ended, which
session and account, the tokens by kind, and the account's windows as last read when it ended. Never anything
of the conversation: no prompt, no output, no model instructions.
*/
export type HistoryRecord = {
	/** Format version. */
	readonly v: 1;
	/** When the request ended (ms since the epoch). */
	readonly at: number;
	readonly session: string | undefined;
	readonly account: string | undefined;
	readonly plan: string | undefined;
	readonly status: number;
	readonly input: number;
	readonly cachedInput: number;
	readonly output: number;
	readonly reasoningOutput: number;
	/** The windows as last read (headers or a poll) when the request ended, and when that reading was taken. */
	readonly fiveHour: HistoryWindow | undefined;
	readonly weekly: HistoryWindow | undefined;
	readonly quotaAt: number | undefined;
	readonly transport: 'http' | 'websocket';
	/** The request was refused for a usage limit (the pool's 429): a recorded limit hit. */
	readonly limitHit: boolean;
};

export type HistoryWindow = {readonly used: number; readonly resetAt: number | undefined};

/** The history folder inside a codexpool home. */
export function historyFolder(home: string): string {
	return path.join(home, 'history');
}

/** The file being appended to; rotated files are `requests-<ms>.jsonl`. */
export const CURRENT_FILE = 'requests.jsonl';
export const ROTATED = /^requests-\d+\.jsonl$/;

const isWindow = (value: unknown): value is HistoryWindow =>
	typeof value === 'object' &&
	value !== null &&
	typeof (value as HistoryWindow).used === 'number' &&
	((value as HistoryWindow).resetAt === undefined || typeof (value as HistoryWindow).resetAt === 'number');

/** A parsed line as a record, or undefined when it is not one (counted as malformed by the reader). */
export function parseHistoryLine(text: string): HistoryRecord | undefined {
	let value: unknown;
	try {
		value = JSON.parse(text);
	} catch {
		return undefined;
	}

	if (typeof value !== 'object' || value === null) return undefined;
	const record = value as Record<string, unknown>;
	const numbers = ['at', 'status', 'input', 'cachedInput', 'output', 'reasoningOutput'] as const;
	if (record.v !== 1 || numbers.some((key) => typeof record[key] !== 'number')) return undefined;
	const text_ = (key: string) => (typeof record[key] === 'string' ? (record[key] as string) : undefined);
	return {
		v: 1,
		at: record.at as number,
		session: text_('session'),
		account: text_('account'),
		plan: text_('plan'),
		status: record.status as number,
		input: record.input as number,
		cachedInput: record.cachedInput as number,
		output: record.output as number,
		reasoningOutput: record.reasoningOutput as number,
		fiveHour: isWindow(record.fiveHour) ? record.fiveHour : undefined,
		weekly: isWindow(record.weekly) ? record.weekly : undefined,
		quotaAt: typeof record.quotaAt === 'number' ? record.quotaAt : undefined,
		transport: record.transport === 'websocket' ? 'websocket' : 'http',
		limitHit: record.limitHit === true,
	};
}
