/**
Pure text helpers for the views: durations, bars, token counts, padding. No React here, so they are tested
with plain tables.
*/

import {formatDuration} from '../core/duration.ts';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

const two = (value: number) => String(value).padStart(2, '0');

/** Like `formatDuration` but whole minutes above a minute (`48m`, `1h12m`), for forecasts that are estimates. */
export function formatRoughDuration(ms: number): string {
	if (ms < 60 * SECOND) {
		return formatDuration(ms);
	}
	return ms < HOUR ? `${Math.round(ms / MINUTE)}m` : formatDuration(ms);
}

/** How long ago, for "last activity": `now`, `12s ago`, `3m04s ago`. */
export function formatAgo(ms: number): string {
	return ms < SECOND ? 'now' : `${formatDuration(ms)} ago`;
}

/** Token counts: `950`, `1.2k`, `34k`, `1.2M`, `34M`, `1.2B`. */
export function formatTokens(count: number): string {
	const value = Math.max(0, Math.round(count));
	const units = [
		{size: 1e9, suffix: 'B'},
		{size: 1e6, suffix: 'M'},
		{size: 1e3, suffix: 'k'},
	];
	for (const {size, suffix} of units) {
		if (value >= size) {
			const scaled = value / size;
			// One decimal below 10 (1.2k), none above (34k); 9.96k rounds to 10k, not 10.0k.
			const text = scaled < 9.95 ? scaled.toFixed(1).replace(/\.0$/, '') : String(Math.round(scaled));
			return `${text}${suffix}`;
		}
	}
	return String(value);
}

/** An integer with thousands separators: `1,234,567`. Locale-independent so tests are stable. */
export function formatCount(count: number): string {
	return String(Math.round(count)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

export function formatPercent(percent: number): string {
	return `${Math.round(Math.min(999, Math.max(0, percent)))}%`;
}

/** Time to first byte: `—` unknown, `312ms`, `1.2s`, `14s`. */
export function formatLatency(ms: number | undefined): string {
	if (ms === undefined) {
		return '—';
	}
	if (ms < SECOND) {
		return `${Math.round(ms)}ms`;
	}
	return ms < 10 * SECOND ? `${(ms / SECOND).toFixed(1)}s` : `${Math.round(ms / SECOND)}s`;
}

/** Wall-clock time of day, `HH:MM:SS`, in the local time zone. */
export function formatClock(at: number): string {
	const date = new Date(at);
	return `${two(date.getHours())}:${two(date.getMinutes())}:${two(date.getSeconds())}`;
}

/** The cells of a usage bar split into the filled and the empty part, so each can take its own colour. */
export type Bar = {readonly filled: string; readonly empty: string};

const eighths = ['', '▏', '▎', '▍', '▌', '▋', '▊', '▉'];

/** A bar `width` cells wide for a 0..100 percent, with eighth-cell precision. */
export function renderBar(percent: number, width: number): Bar {
	const clamped = Math.min(100, Math.max(0, Number.isFinite(percent) ? percent : 0));
	const totalEighths = Math.round((clamped / 100) * width * 8);
	const full = Math.floor(totalEighths / 8);
	const partial = eighths[totalEighths % 8] ?? '';
	const filled = '█'.repeat(full) + partial;
	return {filled, empty: '░'.repeat(width - full - (partial === '' ? 0 : 1))};
}

/** Cuts `text` to `width` characters, marking the cut with `…`. */
export function truncate(text: string, width: number): string {
	if (width <= 0) {
		return '';
	}
	const chars = [...text];
	if (chars.length <= width) {
		return text;
	}
	return `${chars.slice(0, width - 1).join('')}…`;
}

/** Exactly `width` characters: truncated with `…` or padded with spaces. */
export function fit(text: string, width: number, align: 'left' | 'right' = 'left'): string {
	const cut = truncate(text, width);
	const padding = ' '.repeat(Math.max(0, width - [...cut].length));
	return align === 'left' ? cut + padding : padding + cut;
}
