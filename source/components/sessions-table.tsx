import {Box} from 'ink';
import type {SessionSnapshot} from '../core/contract.ts';
import {fit, formatAgo, formatCount, formatPercent, formatTokens} from './format.ts';
import {Line, type Segment} from './line.tsx';

const columns = [
	{title: 'session', width: 14},
	{title: 'client', width: 13},
	{title: 'via', width: 5},
	{title: 'account', width: 12},
	{title: 'turns', width: 6, right: true},
	{title: 'in', width: 7, right: true},
	{title: 'out', width: 7, right: true},
	{title: 'cached', width: 7, right: true},
	{title: 'moves', width: 6, right: true},
	{title: 'last activity', width: 15, right: true},
] as const;

function cells(values: readonly string[]): string {
	return columns
		.map((column, index) => {
			const text = fit(values[index] ?? '', column.width - 1, 'right' in column ? 'right' : 'left');
			return `${text} `;
		})
		.join('');
}

/** Sessions in flight first, then the most recently active. */
export function sortSessions(sessions: readonly SessionSnapshot[]): SessionSnapshot[] {
	return [...sessions].sort(
		(a, b) => Number(b.active) - Number(a.active) || b.lastActivityAt - a.lastActivityAt,
	);
}

export function sessionRowSegments(session: SessionSnapshot, accountName: string, now: number): Segment[] {
	const cached =
		session.inputTokens > 0 ? formatPercent((session.cachedTokens / session.inputTokens) * 100) : '—';
	return [
		{text: session.active ? '● ' : '  ', tone: 'ok'},
		{
			text: cells([
				session.id,
				session.client,
				session.transport === 'websocket' ? 'ws' : 'http',
				accountName,
				formatCount(session.turns),
				formatTokens(session.inputTokens),
				formatTokens(session.outputTokens),
				cached,
				formatCount(session.moves),
				formatAgo(now - session.lastActivityAt),
			]),
			tone: session.moves > 0 ? 'plain' : undefined,
		},
	];
}

type Props = {
	readonly sessions: readonly SessionSnapshot[];
	readonly accountNames: ReadonlyMap<string, string>;
	readonly now: number;
	readonly offset: number;
	readonly maxRows: number;
};

/** The sessions the proxy knows: who, over which transport, where, how much, and how often they moved. */
export function SessionsTable({sessions, accountNames, now, offset, maxRows}: Props) {
	const sorted = sortSessions(sessions);
	const rows = Math.max(1, maxRows - 1);
	const shown = sorted.slice(offset, offset + rows);
	return (
		<Box flexDirection="column">
			<Line
				segments={[{text: `  ${cells(columns.map((column) => column.title))}`, tone: 'muted', bold: true}]}
			/>
			{shown.length === 0 ? (
				<Line
					segments={[
						{text: '  No sessions yet: point a client at the proxy and they appear here.', tone: 'muted'},
					]}
				/>
			) : (
				shown.map((session) => (
					<Line
						key={session.id}
						segments={sessionRowSegments(
							session,
							accountNames.get(session.accountId) ?? session.accountId,
							now,
						)}
					/>
				))
			)}
		</Box>
	);
}
