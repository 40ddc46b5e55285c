import {Box} from 'ink';
import type {CoreSnapshot} from '../core/contract.ts';
import {formatDuration} from '../core/duration.ts';
import {formatCount, formatTokens} from './format.ts';
import {Line, type Segment} from './line.tsx';

const modeLabels: Record<CoreSnapshot['mode'], string> = {
	attached: 'attached to daemon',
	embedded: 'embedded proxy',
	demo: 'demo (simulated upstream)',
	store: 'no pool running (the store only)',
};

/** The scheduler's part of the header: off, or on with its next planned kick. */
export function schedulerSegments(snapshot: CoreSnapshot, now: number): Segment[] {
	const {scheduler} = snapshot;
	if (!scheduler.enabled) {
		return [{text: 'scheduler '}, {text: 'off', tone: 'muted'}];
	}
	const next = [...scheduler.nextKicks].sort((a, b) => a.at - b.at)[0];
	const segments: Segment[] = [
		{text: 'scheduler '},
		{text: 'on', tone: 'ok'},
		{text: ` (${scheduler.policy}${scheduler.dryRun ? ', dry run' : ''})`, tone: 'muted'},
	];
	if (next === undefined) {
		segments.push({text: ' · no kick planned', tone: 'muted'});
	} else {
		const name = snapshot.accounts.find((account) => account.id === next.accountId)?.name ?? next.accountId;
		const when = next.at <= now ? 'now' : `in ${formatDuration(next.at - now)}`;
		segments.push({text: ' · next kick '}, {text: `${name} ${when}`, tone: 'kick'});
		segments.push({text: ` · ${scheduler.nextKicks.length} planned`, tone: 'muted'});
	}
	if (scheduler.quietHours !== undefined) {
		segments.push({
			text: ` · quiet ${scheduler.quietHours.start}–${scheduler.quietHours.end}`,
			tone: 'muted',
		});
	}
	return segments;
}

/** Header line one: who we are, where the proxy listens, and the strategy. */
export function headerTopSegments(snapshot: CoreSnapshot): Segment[] {
	return [
		{text: 'codexpool', tone: 'accent', bold: true},
		snapshot.daemonUnreachableSince === undefined
			? {text: ` ${modeLabels[snapshot.mode]}`, tone: snapshot.mode === 'demo' ? 'kick' : 'muted'}
			: {
					text: ` daemon unreachable since ${new Date(snapshot.daemonUnreachableSince).toTimeString().slice(0, 8)}`,
					tone: 'warning',
				},
		{text: ' · proxy '},
		{
			text: snapshot.proxyUrl ?? 'not listening',
			tone: snapshot.proxyUrl === undefined ? 'warning' : 'accent',
		},
		{text: ' · strategy '},
		{text: snapshot.strategy, bold: true},
	];
}

/** Header line two: the totals since the core started. */
export function headerTotalsSegments(snapshot: CoreSnapshot): Segment[] {
	const {totals} = snapshot;
	return [
		{text: 'requests ', tone: 'muted'},
		{text: formatCount(totals.requests)},
		{text: ' · tokens ', tone: 'muted'},
		{text: `${formatTokens(totals.inputTokens)} in / ${formatTokens(totals.outputTokens)} out`},
		{text: ' · sessions ', tone: 'muted'},
		{text: formatCount(totals.sessions)},
		{text: ' · moves ', tone: 'muted'},
		{text: formatCount(totals.moves)},
		{text: ' · failovers ', tone: 'muted'},
		{text: formatCount(totals.failovers), tone: totals.failovers > 0 ? 'warning' : 'plain'},
		{text: ' · in flight ', tone: 'muted'},
		{text: formatCount(snapshot.inFlight)},
	];
}

type Props = {
	readonly snapshot: CoreSnapshot;
	readonly now: number;
};

export function Header({snapshot, now}: Props) {
	return (
		<Box flexDirection="column">
			<Line segments={headerTopSegments(snapshot)} />
			<Line segments={schedulerSegments(snapshot, now)} />
			<Line segments={headerTotalsSegments(snapshot)} />
		</Box>
	);
}
