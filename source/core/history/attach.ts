import type {RequestLogEntry} from '../model.ts';
import type {AccountQuota, QuotaWindow} from '../quota/types.ts';
import {weeklyAdvice} from '../replay/advice.ts';
import {type HistoryRecord, type HistoryWindow, historyFolder} from './record.ts';
import {HistoryWriter} from './writer.ts';

/** What the history needs to know of an account when one of its requests ends. */
export type AccountLookup = (id: string) => {plan: string; quota: AccountQuota | undefined} | undefined;

/** The core's event subscription, narrowed to the request log (Core['on'] fits). */
type OnRequest = (event: 'request', listener: (entry: RequestLogEntry) => void) => () => void;

const windowOf = (window: QuotaWindow | undefined): HistoryWindow | undefined =>
	window === undefined ? undefined : {used: window.usedPercent, resetAt: window.resetAt};

/** The compact record of one request-log entry: counts and quota only, nothing of the conversation. */
export function historyRecordOf(entry: RequestLogEntry, lookup: AccountLookup): HistoryRecord {
	const account = entry.accountId === undefined ? undefined : lookup(entry.accountId);
	return {
		v: 1,
		at: entry.at,
		session: entry.sessionId,
		account: entry.accountId,
		plan: account?.plan,
		status: entry.status,
		input: entry.inputTokens,
		cachedInput: entry.cachedInputTokens ?? 0,
		output: entry.outputTokens,
		reasoningOutput: entry.reasoningOutputTokens ?? 0,
		fiveHour: windowOf(account?.quota?.fiveHour),
		weekly: windowOf(account?.quota?.weekly),
		quotaAt: account?.quota?.observedAt,
		transport: entry.transport ?? 'http',
		limitHit: entry.status === 429,
	};
}

/** Persists every model request the core reports. Returns the unsubscribe function. */
export function attachRequestHistory(
	on: OnRequest,
	writer: HistoryWriter,
	lookup: AccountLookup,
): () => void {
	return on('request', (entry) => {
		// Only model requests: the request log also carries kicks and admin calls.
		if (!/\/responses(\/compact)?$|\/chat\/completions$/.test(entry.path)) return;
		writer.append(historyRecordOf(entry, lookup));
	});
}

/**
The daemon's request history in `<home>/history`: subscribes to the core's request events and writes one
record per model request. `stop` unsubscribes and waits for the last write.
*/
export function startRequestHistory(options: {
	on: OnRequest;
	home: string;
	now: () => number;
	lookup: AccountLookup;
	onError: (error: unknown) => void;
	/**
	The pool as it is now, for the weekly advice (a replay of the last 7 days, a minute after start and then
	daily); its sentence goes to `advise`.
	*/
	pool?: () => {plans: string[]; strategy: string; scheduler: string};
	advise?: (message: string) => void;
}): {stop: () => Promise<void>} {
	const folder = historyFolder(options.home);
	const writer = new HistoryWriter({folder, now: options.now, onError: options.onError});
	const unsubscribe = attachRequestHistory(options.on, writer, options.lookup);
	const advise = async () => {
		if (options.pool === undefined || options.advise === undefined) return;
		const message = await weeklyAdvice({historyFolder: folder, now: options.now(), ...options.pool()}).catch(
			() => undefined,
		);
		if (message !== undefined) options.advise(message);
	};

	const first = setTimeout(() => void advise(), ADVICE_FIRST_MS);
	const daily = setInterval(() => void advise(), ADVICE_EVERY_MS);
	first.unref();
	daily.unref();
	return {
		async stop() {
			clearTimeout(first);
			clearInterval(daily);
			unsubscribe();
			await writer.flush();
		},
	};
}

/** The advice waits a minute after start (the pool's first polls come first), then runs daily. */
const ADVICE_FIRST_MS = 60_000;
const ADVICE_EVERY_MS = 86_400_000;
