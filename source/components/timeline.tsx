import {Box} from 'ink';
import type {AccountSnapshot, PlannedKick} from '../core/contract.ts';
import {accountNameWidth} from './account-row.ts';
import {fit} from './format.ts';
import {Line} from './line.tsx';
import {visibleWindow} from './scroll.ts';
import {type TimelineSpan, timelineAxis, timelineCells, timelineGlyphs} from './timeline-cells.ts';

type Props = {
	readonly accounts: readonly AccountSnapshot[];
	readonly kicks: readonly PlannedKick[];
	readonly now: number;
	readonly span: TimelineSpan;
	readonly width: number;
	readonly selectedId: string | undefined;
	readonly maxRows: number;
};

/** All accounts on one timeline: each window's reset and each planned kick, so the stagger is visible. */
export function Timeline({accounts, kicks, now, span, width, selectedId, maxRows}: Props) {
	// As wide as the accounts panel's names, and one more, as it always was (a track needs fewer columns).
	const nameWidth = accountNameWidth(accounts, width) + 1;
	const trackWidth = Math.max(10, width - nameWidth - 1);
	const rows = Math.max(1, maxRows - 2);
	const selectedIndex = accounts.findIndex((account) => account.id === selectedId);
	const {start, end} = visibleWindow(accounts.length, selectedIndex, rows);
	const windowName = span === '5h' ? '5-hour window' : 'weekly window';
	const g = timelineGlyphs;
	return (
		<Box flexDirection="column">
			<Line segments={[{text: ' '.repeat(nameWidth) + timelineAxis(span, trackWidth), tone: 'muted'}]} />
			{accounts.slice(start, end).map((account) => (
				<Line
					key={account.id}
					segments={[
						{
							text: fit(account.name, nameWidth - 1) + ' ',
							tone: account.id === selectedId ? 'accent' : 'plain',
						},
						...timelineCells(account, kicks, now, span, trackWidth),
					]}
				/>
			))}
			<Line
				segments={[
					{
						text: `${g.running} ${windowName} running  ${g.fiveHourReset} 5h reset  ${g.weeklyReset} weekly reset  ${g.kick} planned kick  ${g.free} free · t: ${span === '5h' ? '7 days' : '5 hours'}`,
						tone: 'muted',
					},
				]}
			/>
		</Box>
	);
}
