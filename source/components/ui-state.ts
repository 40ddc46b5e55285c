import type {AccountSnapshot} from '../core/contract.ts';
import type {Status} from './status-line.tsx';
import type {TimelineSpan} from './timeline-cells.ts';

/** The panels Tab cycles through; the accounts panel is always shown, the others share the lower area. */
export const panels = ['accounts', 'timeline', 'sessions', 'log', 'notices'] as const;
export type Panel = (typeof panels)[number];
export type LowerPanel = Exclude<Panel, 'accounts'>;

/** What takes the keys besides the main screen. */
export type Overlay =
	| {readonly kind: 'none'}
	| {readonly kind: 'help'}
	| {readonly kind: 'confirm-evict'; readonly accountId: string}
	| {readonly kind: 'confirm-quit'}
	| {readonly kind: 'picker'; readonly highlighted: number}
	| {readonly kind: 'filter'}
	/** The caps prompt for one account: what has been typed so far (`5-hour/weekly`, e.g. `90/80`). */
	| {readonly kind: 'caps'; readonly accountId: string; readonly text: string};

/** The view's own state (the core's state is the snapshot). */
export type UiState = {
	/** The selected account by id, so the selection survives accounts being added or reordered. */
	readonly selectedId: string | undefined;
	readonly focus: Panel;
	/** Which panel the lower area shows (the last focused one while the accounts panel has focus). */
	readonly lower: LowerPanel;
	readonly span: TimelineSpan;
	readonly filter: string;
	readonly offsets: Readonly<Record<LowerPanel, number>>;
	readonly overlay: Overlay;
	readonly status: Status | undefined;
};

export const initialUiState: UiState = {
	selectedId: undefined,
	focus: 'accounts',
	lower: 'timeline',
	span: '5h',
	filter: '',
	offsets: {timeline: 0, sessions: 0, log: 0, notices: 0},
	overlay: {kind: 'none'},
	status: undefined,
};

/** The selected account: the one with `selectedId`, else the first (a removed account loses the selection). */
export function selectedAccount(
	accounts: readonly AccountSnapshot[],
	selectedId: string | undefined,
): AccountSnapshot | undefined {
	return accounts.find((account) => account.id === selectedId) ?? accounts[0];
}

/** Moves the selection `delta` rows, stopping at the ends. */
export function moveSelection(
	accounts: readonly AccountSnapshot[],
	selectedId: string | undefined,
	delta: number,
): string | undefined {
	const current = Math.max(
		0,
		accounts.findIndex((account) => account.id === selectedId),
	);
	const next = Math.min(accounts.length - 1, Math.max(0, current + delta));
	return accounts[next]?.id;
}

/** Tab / Shift-Tab: the next panel in `panels`, wrapping around. */
export function cyclePanel(state: UiState, delta: 1 | -1): UiState {
	const index = panels.indexOf(state.focus);
	const focus = panels[(index + delta + panels.length) % panels.length] ?? 'accounts';
	return {...state, focus, lower: focus === 'accounts' ? state.lower : focus};
}

/** Scrolls a lower panel, never above its top (the view clamps the bottom, which depends on its height). */
export function scroll(state: UiState, panel: LowerPanel, delta: number, length: number): UiState {
	const offset = Math.min(Math.max(0, state.offsets[panel] + delta), Math.max(0, length - 1));
	return {...state, offsets: {...state.offsets, [panel]: offset}};
}
