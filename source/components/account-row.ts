import type {AccountSnapshot, AccountState, WindowSnapshot} from '../core/contract.ts';
import {formatDuration} from '../core/duration.ts';
import {capsBadge} from './caps-input.ts';
import {fit, formatPercent, formatRoughDuration, renderBar} from './format.ts';
import type {Segment} from './line.tsx';
import {type Tone, usageTone} from './theme.ts';

/**
Column widths of the accounts panel; they add up to 81, leaving the forecast 19 at 100 columns. The name
column is the least: a wider terminal gives its extra columns to names that need them (accountNameWidth).
*/
export const accountColumns = {
	cursor: 2,
	name: 12,
	plan: 8,
	state: 16,
	window: 20,
	bar: 7,
	running: 3,
} as const;

/** The row width the columns are laid out for: wider terminals widen the name column. */
const layoutColumns = 100;

/**
The width of the name column (with its trailing space) for these accounts on a terminal `columns` wide: the
longest name, as far as the columns beyond 100 allow; never less than the usual 12, so a narrow terminal cuts
names rather than the bars.
*/
export function accountNameWidth(accounts: readonly {readonly name: string}[], columns: number): number {
	const longest = Math.max(0, ...accounts.map((account) => [...account.name].length)) + 1;
	const room = accountColumns.name + Math.max(0, columns - layoutColumns);
	return Math.max(accountColumns.name, Math.min(longest, room));
}

/** The state badge: its words (with a live countdown where it has one) and its tone. */
export function stateBadge(state: AccountState, now: number): {text: string; tone: Tone} {
	switch (state.kind) {
		case 'active':
			return {text: 'active', tone: 'ok'};
		case 'pinned':
			return {text: 'pinned', tone: 'accent'};
		case 'drained':
			return {text: 'drained', tone: 'info'};
		case 'evicted':
			return {text: 'evicted', tone: 'muted'};
		case 'cooling':
			return {text: `cooling ${formatDuration(state.until - now)}`, tone: 'warning'};
		case 'exhausted': {
			// At the user's cap: the account rests by choice, not because the upstream refused it.
			const what =
				state.cap === undefined ? 'exhausted' : `cap ${state.cap.window === 'five-hour' ? '5h' : 'wk'}`;
			// Whole minutes from an hour down (`exhausted 43m`): with seconds it would not fit the column, and
			// the 5-hour column counts the seconds already.
			return {
				text: state.until === undefined ? what : `${what} ${formatRoughDuration(state.until - now)}`,
				tone: state.cap === undefined ? 'error' : 'warning',
			};
		}
		case 'needs-login':
			return {text: 'needs login', tone: 'error'};
	}
}

/**
One window's cell: bar, used percent and a live reset countdown; `idle` when the window has not started
(nothing to count down to) and `—` when the account has no such window (weekly-only plans, or a 5-hour
window the backend dropped). A window of another length than the column's usual one (`usualMinutes`) says
its length before a shorter bar (`1h`, `30d`).
*/
export function windowSegments(
	window: WindowSnapshot | undefined,
	now: number,
	usualMinutes = window?.lengthMinutes,
): Segment[] {
	const {window: width, bar: barWidth} = accountColumns;
	if (window === undefined) {
		return [{text: fit('—', width), tone: 'muted'}];
	}
	const tone = usageTone(window.usedPercent);
	const length = window.lengthMinutes === usualMinutes ? undefined : windowLength(window.lengthMinutes);
	const bar = renderBar(window.usedPercent, length === undefined ? barWidth : barWidth - 4);
	const isIdle = window.resetAt === undefined;
	const when = isIdle ? 'idle' : window.resetAt <= now ? 'now' : formatDuration(window.resetAt - now);
	return [
		...(length === undefined ? [] : [{text: fit(length, 4), tone: 'info' as const}]),
		{text: bar.filled, tone},
		{text: bar.empty, tone: 'muted'},
		{text: ` ${fit(formatPercent(window.usedPercent), 4, 'right')} `, tone},
		{text: fit(when, width - barWidth - 6), tone: isIdle ? 'muted' : 'plain'},
	];
}

/** A window's length, short: `1h`, `12h`, `30d`. */
function windowLength(minutes: number): string {
	return minutes < 1440 ? `${Math.round(minutes / 60)}h` : `${Math.round(minutes / 1440)}d`;
}

/**
The forecast: does any window run out before it resets, and when; for an account out of quota (or at its
cap), when it comes back.
*/
export function forecast(account: AccountSnapshot, now: number): {text: string; tone: Tone} {
	if (account.state.kind === 'exhausted') {
		const {until} = account.state;
		return until === undefined || until <= now
			? {text: 'back soon', tone: 'info'}
			: {text: `back in ${formatRoughDuration(until - now)}`, tone: 'info'};
	}
	const windows = [account.fiveHour, account.weekly].filter((window) => window !== undefined);
	if (windows.length === 0) {
		return {text: '—', tone: 'muted'};
	}
	// A window under the user's cap is forecast to its cap (the core's exhaustsAt): say so.
	const capped = (key: 'fiveHour' | 'weekly') => (account.caps?.[key] ?? 100) < 100;
	const first = (['fiveHour', 'weekly'] as const)
		.flatMap((key) => {
			const at = account[key]?.exhaustsAt;
			return at === undefined ? [] : [{at, cap: capped(key)}];
		})
		.sort((a, b) => a.at - b.at)[0];
	if (first !== undefined) {
		const what = first.cap ? 'at cap' : 'runs out';
		return first.at <= now
			? {text: first.cap ? 'at cap now' : 'out now', tone: 'error'}
			: {text: `${what} in ${formatRoughDuration(first.at - now)}`, tone: 'warning'};
	}
	const isIdle = windows.every((window) => window.resetAt === undefined);
	return {text: 'lasts', tone: isIdle ? 'muted' : 'ok'};
}

/** The header row of the accounts panel, its name column `nameWidth` wide (accountNameWidth). */
export function accountHeaderSegments(nameWidth: number = accountColumns.name): Segment[] {
	const c = accountColumns;
	return [
		{
			text:
				' '.repeat(c.cursor) +
				fit('account', nameWidth) +
				fit('plan', c.plan) +
				fit('state', c.state) +
				fit('5 hours', c.window) +
				fit('weekly', c.window) +
				fit('run', c.running) +
				' forecast',
			tone: 'muted',
			bold: true,
		},
	];
}

/** One account's row, its name column `nameWidth` wide (accountNameWidth). */
export function accountRowSegments(
	account: AccountSnapshot,
	now: number,
	isSelected: boolean,
	nameWidth: number = accountColumns.name,
): Segment[] {
	const c = accountColumns;
	const state = stateBadge(account.state, now);
	// The caps are shown with the marks: beside the state, unless the state already says the cap stops it.
	const caps =
		account.state.kind === 'exhausted' && account.state.cap !== undefined
			? undefined
			: capsBadge(account.caps);
	const badge = caps === undefined ? state : {...state, text: `${state.text} ${caps}`};
	const outlook = forecast(account, now);
	return [
		{text: isSelected ? '▶ ' : '  ', tone: 'accent', bold: true},
		{text: fit(account.name, nameWidth - 1) + ' ', tone: isSelected ? 'accent' : 'plain', bold: isSelected},
		{text: fit(account.plan, c.plan - 1) + ' ', tone: 'muted'},
		{text: fit(badge.text, c.state - 1) + ' ', tone: badge.tone},
		...windowSegments(account.fiveHour, now, 300),
		...windowSegments(account.weekly, now, 10_080),
		{
			text: fit(String(account.runningSessions), c.running - 1, 'right') + ' ',
			tone: account.runningSessions > 0 ? 'plain' : 'muted',
		},
		{text: ` ${outlook.text}`, tone: outlook.tone},
	];
}
