import type {AccountSnapshot, PlannedKick} from '../core/contract.ts';
import type {Segment} from './line.tsx';
import {type Tone, usageTone} from './theme.ts';

const HOUR = 3_600_000;

/** The two spans the timeline shows (`t` toggles). */
export type TimelineSpan = '5h' | '7d';

export const spanMs: Record<TimelineSpan, number> = {'5h': 5 * HOUR, '7d': 7 * 24 * HOUR};

/** ASCII on purpose: the timeline is the widest block of the screen, and ASCII lines are cheap to measure. */
export const timelineGlyphs = {
	running: '=',
	free: '.',
	fiveHourReset: '|',
	weeklyReset: 'W',
	kick: 'K',
} as const;

type Cell = {char: string; tone: Tone};

/** The column of time `at` on a track `width` cells wide starting now, or undefined if outside. */
export function cellIndex(at: number, now: number, span: number, width: number): number | undefined {
	if (at < now) {
		return undefined;
	}
	const index = Math.floor(((at - now) / span) * width);
	return index < width ? index : undefined;
}

/**
One account's track: the window the view is about (5-hour in the 5h view, weekly in the 7d view) drawn as a
line until it resets, each reset in range marked, and each planned kick marked, so the accounts' resets
line up (or stagger) down the column.
*/
export function timelineCells(
	account: AccountSnapshot,
	kicks: readonly PlannedKick[],
	now: number,
	span: TimelineSpan,
	width: number,
): Segment[] {
	const length = spanMs[span];
	const cells: Cell[] = Array.from({length: width}, () => ({char: timelineGlyphs.free, tone: 'muted'}));
	const main = span === '5h' ? account.fiveHour : account.weekly;
	if (main?.resetAt !== undefined && main.resetAt > now) {
		const end = cellIndex(main.resetAt, now, length, width) ?? width;
		const tone = usageTone(main.usedPercent);
		for (let index = 0; index < end; index++) {
			cells[index] = {char: timelineGlyphs.running, tone};
		}
	}
	const mark = (at: number | undefined, char: string, tone: Tone) => {
		const index = at === undefined ? undefined : cellIndex(at, now, length, width);
		if (index !== undefined) {
			cells[index] = {char, tone};
		}
	};
	mark(account.fiveHour?.resetAt, timelineGlyphs.fiveHourReset, 'plain');
	mark(account.weekly?.resetAt, timelineGlyphs.weeklyReset, 'accent');
	// A kick cannot start a window that is running: one planned inside it is stale, and is not drawn.
	const runningUntil = account.fiveHour?.resetAt ?? now;
	for (const kick of kicks) {
		if (kick.accountId === account.id && kick.at >= runningUntil) {
			mark(kick.at, timelineGlyphs.kick, 'kick');
		}
	}
	return groupCells(cells);
}

function groupCells(cells: readonly Cell[]): Segment[] {
	const segments: {text: string; tone: Tone}[] = [];
	for (const cell of cells) {
		const last = segments.at(-1);
		if (last?.tone === cell.tone) {
			last.text += cell.char;
		} else {
			segments.push({text: cell.char, tone: cell.tone});
		}
	}
	return segments;
}

/** The scale above the tracks: `now` at the left and a label every hour (5h) or day (7d). */
export function timelineAxis(span: TimelineSpan, width: number): string {
	const steps = span === '5h' ? 5 : 7;
	const unit = span === '5h' ? 'h' : 'd';
	const axis = Array.from({length: width}, () => ' ');
	const place = (label: string, at: number) => {
		const start = Math.max(0, Math.min(width - label.length, at));
		for (let index = 0; index < label.length; index++) {
			axis[start + index] = label[index] ?? ' ';
		}
	};
	place('now', 0);
	for (let step = 1; step <= steps; step++) {
		const label = `+${step}${unit}`;
		const at = Math.floor((step / steps) * width);
		// Labels end at their tick; the last one ends at the right edge.
		place(label, at - label.length);
	}
	return axis.join('');
}
