import type {Pool} from '../pool/pool.ts';
import type {QuotaWindow} from '../quota/types.ts';

type WindowKindKey = 'fiveHour' | 'weekly';

/**
The pool's usage in the upstream's `/wham/usage` shape, so a client that shows it (Codex's `/status`) sees
the pool as one account: each window's used percent is the mean over the accounts that can serve (an
exhausted window counts 100, an idle one 0), its reset the earliest among them; `limit_reached` only when no
account is usable. The 5-hour window is the mean over the accounts that have one; when none has (a weekly-only
pool), the weekly window comes in the primary slot and the secondary is null, as the upstream reports it.
*/
export function pooledUsage(pool: Pool, now: number): Record<string, unknown> {
	const serving = pool
		.list()
		.filter(
			(account) =>
				account.record.needsLogin === undefined &&
				account.health.status !== 'needs-login' &&
				!account.record.marks.evicted,
		);
	const usable = serving.some((account) => pool.isUsable(account.record.id));

	const window = (key: WindowKindKey, seconds: number) => {
		// An account whose quota is not known yet counts as having both windows.
		const having = serving.filter(
			(account) => account.quota === undefined || account.quota[key] !== undefined,
		);
		if (having.length === 0) {
			return null;
		}

		let total = 0;
		let earliest: number | undefined;
		for (const account of having) {
			const current: QuotaWindow | undefined = account.quota?.[key];
			const live = current !== undefined && (current.resetAt === undefined || current.resetAt > now);
			total += live ? current.usedPercent : 0;
			if (live && current.resetAt !== undefined && (earliest === undefined || current.resetAt < earliest)) {
				earliest = current.resetAt;
			}
		}

		const resetAt = earliest ?? now + seconds * 1000;
		return {
			used_percent: Math.round(total / having.length),
			limit_window_seconds: seconds,
			reset_after_seconds: Math.max(0, Math.round((resetAt - now) / 1000)),
			reset_at: Math.round(resetAt / 1000),
		};
	};

	const fiveHour = window('fiveHour', 18_000);
	const weekly = window('weekly', 604_800);
	return {
		plan_type: serving[0]?.record.plan ?? 'plus',
		rate_limit: {
			allowed: usable,
			limit_reached: !usable,
			primary_window: fiveHour ?? weekly,
			secondary_window: fiveHour === null ? null : weekly,
		},
		credits: null,
	};
}
