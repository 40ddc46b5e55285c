import {phaseScore} from './phase-targeting.ts';
import type {AccountView, PickContext, Strategy} from './types.ts';
import {
	compareKeys,
	DEFAULT_MEAN_SESSION_SIZE,
	effectiveWindowView,
	isIdle,
	isUsable,
	lastPickedKey,
	usableQuota,
} from './views.ts';

/** The knob of `phase-fit`, exposed so the simulator's experiments can vary it; the default is measured. */
export type PhaseFitTuning = {
	/**
	A resumed session goes only to an account whose usable quota covers the sessions already running there
	plus this many (a negative number: minus), at the mean session size each; otherwise it stays queued
	("none"). Measured on the standard grid against phase-targeting at 2048 runs (mean of per-setting
	ratios): 0 gave 48% of its interruptions at 107% of its wait, because a held session is offered again
	only at the next recovery, which in a lightly loaded pool can be hours away; −1.5 (the first two
	sessions always go, a third needs half a mean session of quota left, and so on) gives 56% of its
	interruptions at 100.5% of its wait. See bench/results/simulate.md.
	*/
	readonly resumeRoom: number;
};

export const defaultTuning: PhaseFitTuning = {resumeRoom: -1.5};

/**
`phase-fit` (formerly `ours`), codexpool's default: phase-targeting's placement, and a session resumes only
where its quota fits. Placement follows `phase-targeting` (windows started at even phases, and among
started accounts the one that would lose the most quota at its reset if spent at an even pace), which keeps
every account usable for as long as possible. What it adds is when to say "none":
- a queued session is resumed only onto an account with room for it: usable quota ≥ (sessions running
  there + resumeRoom) × the mean session size (`options.meanSessionSize`, default 0.02). When an account
  recovers, the other strategies pile the whole backlog onto it, it runs dry within minutes and every one
  of those sessions is interrupted again; phase-fit resumes only what the account can carry, and the rest
  waits for the next recovery (a queued session is already paused, so holding it costs no interruption);
- with no usable account a new session gets "none" (it waits in the queue, so it resumes wherever quota
  comes back first) rather than being parked on one account.
Measured in `bench/results/simulate.md`.
*/
export function createPhaseFit(tuning: PhaseFitTuning = defaultTuning): Strategy {
	return {
		name: 'phase-fit',
		description:
			'codexpool: even phases, spend what resets first, never pile a backlog on a recovered account',
		pick: (accounts, context) => pickPhaseFit(accounts, context, tuning),
	};
}

function pickPhaseFit(
	accounts: readonly AccountView[],
	context: PickContext,
	tuning: PhaseFitTuning,
): string | undefined {
	// One pass, no intermediate lists: the simulator calls this hundreds of thousands of times per run.
	const {now} = context;
	const mean = context.options?.meanSessionSize ?? DEFAULT_MEAN_SESSION_SIZE;
	const fiveHourGate = gateOpen(accounts, 'fiveHour', now);
	const weeklyGate = gateOpen(accounts, 'weekly', now);
	// Tiers, as phase-targeting: 0 = may start its idle windows now, 1 = all windows started, 2 = the rest.
	const best: (AccountView | undefined)[] = [undefined, undefined, undefined];
	const bestKey: number[][] = [[], [], []];
	for (const account of accounts) {
		if (!isUsable(account, now)) continue;
		if (
			context.kind === 'resume' &&
			usableQuota(account, now) < (account.running + tuning.resumeRoom) * mean
		) {
			continue;
		}

		const idleFiveHour = isIdle(account.fiveHour, now);
		const idleWeekly = isIdle(account.weekly, now);
		const tier =
			!idleFiveHour && !idleWeekly
				? 1
				: (!idleFiveHour || fiveHourGate) && (!idleWeekly || weeklyGate)
					? 0
					: 2;
		const key = [-phaseScore(account, now), lastPickedKey(account)];
		const current = best[tier];
		if (current === undefined || compareKeys(key, bestKey[tier]!, account.id, current.id) < 0) {
			best[tier] = account;
			bestKey[tier] = key;
		}
	}

	return (best[0] ?? best[1] ?? best[2])?.id;
}

/**
phase-targeting's gate: a window of this kind may start only once the youngest started one is ≥ length/N old,
N the accounts that have a window of this kind (all of them, unless some have no five-hour window).
*/
function gateOpen(accounts: readonly AccountView[], key: 'fiveHour' | 'weekly', now: number): boolean {
	let count = 0;
	for (const account of accounts) {
		if (account[key] !== undefined) count++;
	}

	for (const account of accounts) {
		const own = account[key];
		if (own === undefined) continue;
		const window = effectiveWindowView(own, now);
		if (window.resetAt !== undefined && now - (window.resetAt - window.lengthMs) < window.lengthMs / count) {
			return false;
		}
	}

	return true;
}

/** codexpool's own strategy, the default. */
export const phaseFit: Strategy = createPhaseFit();
