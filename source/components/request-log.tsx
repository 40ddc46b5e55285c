import {Box} from 'ink';
import type {RequestLogEntry} from '../core/contract.ts';
import {fit, formatClock, formatLatency, formatTokens} from './format.ts';
import {Line, type Segment} from './line.tsx';
import type {Tone} from './theme.ts';

const widths = {time: 9, session: 14, account: 12, model: 15, status: 5, ttfb: 7, tokens: 13} as const;

/** Requests whose session, account, model, path, status or error contains `query` (any case). */
export function filterRequests(
	entries: readonly RequestLogEntry[],
	query: string,
	accountNames: ReadonlyMap<string, string>,
): readonly RequestLogEntry[] {
	const needle = query.trim().toLowerCase();
	if (needle === '') {
		return entries;
	}
	return entries.filter((entry) =>
		[
			entry.sessionId,
			entry.accountId === undefined ? undefined : (accountNames.get(entry.accountId) ?? entry.accountId),
			entry.model,
			entry.path,
			String(entry.status),
			entry.error,
		].some((field) => field?.toLowerCase().includes(needle)),
	);
}

export function statusTone(status: number): Tone {
	if (status >= 500 || status === 0) {
		return 'error';
	}
	if (status >= 400) {
		return 'warning';
	}
	return 'ok';
}

function header(): string {
	const w = widths;
	return (
		fit('time', w.time) +
		fit('session', w.session) +
		fit('account', w.account) +
		fit('model', w.model) +
		fit('code', w.status) +
		fit('ttfb', w.ttfb - 1, 'right') +
		' ' +
		fit('tokens i/o', w.tokens - 1) +
		' ' +
		'note'
	);
}

export function requestRowSegments(entry: RequestLogEntry, accountName: string): Segment[] {
	const w = widths;
	const note =
		entry.error ?? (entry.failedOver.length > 0 ? `failed over from ${entry.failedOver.join(', ')}` : '');
	return [
		{text: fit(formatClock(entry.at), w.time), tone: 'muted'},
		{text: fit(entry.sessionId ?? '—', w.session - 1) + ' '},
		{text: fit(accountName, w.account - 1) + ' '},
		{text: fit(entry.model ?? '—', w.model - 1) + ' ', tone: 'muted'},
		{text: fit(entry.status === 0 ? 'err' : String(entry.status), w.status), tone: statusTone(entry.status)},
		{text: fit(formatLatency(entry.ttfbMs), w.ttfb - 1, 'right') + ' '},
		{text: fit(`${formatTokens(entry.inputTokens)}/${formatTokens(entry.outputTokens)}`, w.tokens - 1) + ' '},
		{text: note, tone: entry.error === undefined ? 'warning' : 'error'},
	];
}

type Props = {
	readonly entries: readonly RequestLogEntry[];
	readonly accountNames: ReadonlyMap<string, string>;
	readonly filter: string;
	readonly offset: number;
	readonly maxRows: number;
};

/** The request log, newest first (as the core keeps it), narrowed by the `/` filter. */
export function RequestLog({entries, accountNames, filter, offset, maxRows}: Props) {
	const matching = filterRequests(entries, filter, accountNames);
	const rows = Math.max(1, maxRows - 1);
	const shown = matching.slice(offset, offset + rows);
	return (
		<Box flexDirection="column">
			<Line segments={[{text: header(), tone: 'muted', bold: true}]} />
			{shown.length === 0 ? (
				<Line
					segments={[
						{
							text:
								filter === ''
									? 'No requests yet.'
									: `No request matches “${filter}” (Esc in the filter clears it).`,
							tone: 'muted',
						},
					]}
				/>
			) : (
				shown.map((entry) => (
					<Line
						key={entry.id}
						segments={requestRowSegments(
							entry,
							entry.accountId === undefined ? '—' : (accountNames.get(entry.accountId) ?? entry.accountId),
						)}
					/>
				))
			)}
		</Box>
	);
}
