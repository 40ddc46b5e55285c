import {Box} from 'ink';
import type {Notice, NoticeLevel} from '../core/contract.ts';
import {fit, formatClock} from './format.ts';
import {Line} from './line.tsx';
import type {Tone} from './theme.ts';

const levelTones: Record<NoticeLevel, Tone> = {info: 'info', warn: 'warning', error: 'error'};

type Props = {
	readonly notices: readonly Notice[];
	readonly offset: number;
	readonly maxRows: number;
};

/** Failovers, moves, kicks, refresh failures and logins needed, newest first. */
export function NoticesList({notices, offset, maxRows}: Props) {
	const shown = notices.slice(offset, offset + Math.max(1, maxRows));
	if (shown.length === 0) {
		return <Line segments={[{text: 'No notices.', tone: 'muted'}]} />;
	}
	return (
		<Box flexDirection="column">
			{shown.map((notice) => (
				<Line
					key={notice.id}
					segments={[
						{text: fit(formatClock(notice.at), 9), tone: 'muted'},
						{text: fit(notice.level, 6), tone: levelTones[notice.level]},
						{text: notice.message},
					]}
				/>
			))}
		</Box>
	);
}
