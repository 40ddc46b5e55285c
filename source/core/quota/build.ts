import {classifyWindow, standardMinutes} from './classify.ts';
import {normaliseIdle} from './idle.ts';
import type {AccountQuota, QuotaWindow, WindowKind} from './types.ts';

/** One window as any of the upstream's formats gives it, before classification. */
export type RawWindow = {
	readonly usedPercent: number;
	/** Length in minutes, if reported. */
	readonly lengthMinutes: number | undefined;
	/** Absolute reset (ms since the epoch), if reported. */
	readonly resetAt: number | undefined;
	/** Relative reset (seconds after the observation), the fallback when no absolute time is given. */
	readonly resetAfterSeconds: number | undefined;
};

/**
Turns the primary and secondary slots into an AccountQuota: each window is classified by its length (a
missing length falls back to its slot's usual kind), unstarted windows are normalised to idle, and if two
windows claim one kind the first (primary) one wins.
*/
export function buildQuota(
	slots: {primary: RawWindow | undefined; secondary: RawWindow | undefined},
	observedAt: number,
): AccountQuota {
	const byKind: Partial<Record<WindowKind, QuotaWindow>> = {};
	const entries: Array<[RawWindow | undefined, WindowKind]> = [
		[slots.primary, 'five-hour'],
		[slots.secondary, 'weekly'],
	];
	for (const [raw, slotKind] of entries) {
		if (raw === undefined) {
			continue;
		}

		const lengthMinutes = raw.lengthMinutes ?? standardMinutes(slotKind);
		const kind = classifyWindow(lengthMinutes);
		if (byKind[kind] !== undefined) {
			continue;
		}

		const resetAt =
			raw.resetAt ??
			(raw.resetAfterSeconds === undefined ? undefined : observedAt + raw.resetAfterSeconds * 1000);
		const usedPercent = Math.min(100, Math.max(0, raw.usedPercent));
		byKind[kind] = normaliseIdle({kind, lengthMinutes, usedPercent, resetAt}, observedAt);
	}

	return {fiveHour: byKind['five-hour'], weekly: byKind.weekly, observedAt};
}

/** A finite number from a header or JSON value, else undefined. */
export function toNumber(value: unknown): number | undefined {
	if (typeof value === 'number') {
		return Number.isFinite(value) ? value : undefined;
	}

	if (typeof value === 'string' && value.trim() !== '') {
		const parsed = Number(value);
		return Number.isFinite(parsed) ? parsed : undefined;
	}

	return undefined;
}
