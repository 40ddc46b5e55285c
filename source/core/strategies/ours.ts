import {phaseScore, startGates} from './phase-targeting.ts';
import type {AccountView, PickContext, Strategy} from './types.ts';
import {DEFAULT_MEAN_SESSION_SIZE, isIdle, isUsable, lastPickedKey, minBy, usableQuota} from './views.ts';

/** The knob of `ours`, exposed so the simulator's experiments can vary it; the default is measured. */
export type OursTuning = {
	/**
	A resumed session goes only to an account whose usable quota covers the sessions already running there
	plus this many, at the mean session size each; otherwise it stays queued ("none"). 0 lets the session
	take the place of the expected leftover: measured best for wait at nearly the same interruptions.
	*/
	readonly resumeRoom: number;
};

export const defaultTuning: OursTuning = {resumeRoom: 0};

/**
`ours`, codexpool's default. Placement follows `phase-targeting` (windows started at even phases, and among
started accounts the one that would lose the most quota at its reset if spent at an even pace), which keeps
every account usable for as long as possible. What it adds is when to say "none":
- a queued session is resumed only onto an account with room for it: usable quota ≥ (sessions running
  there + resumeRoom) × the mean session size (`options.meanSessionSize`, default 0.02). When an account
  recovers, the other strategies pile the whole backlog onto it, it runs dry within minutes and every one
  of those sessions is interrupted again; ours resumes only what the account can carry, and the rest
  waits for the next recovery (a queued session is already paused, so holding it costs no interruption);
- with no usable account a new session gets "none" (it waits in the queue, so it resumes wherever quota
  comes back first) rather than being parked on one account.
Measured in `bench/results/simulate.md`.
*/
export function createOurs(tuning: OursTuning = defaultTuning): Strategy {
	return {
		name: 'ours',
		description:
			'codexpool: even phases, spend what resets first, never pile a backlog on a recovered account',
		pick: (accounts, context) => pickOurs(accounts, context, tuning),
	};
}

function pickOurs(
	accounts: readonly AccountView[],
	context: PickContext,
	tuning: OursTuning,
): string | undefined {
	const {now} = context;
	const mean = context.options?.meanSessionSize ?? DEFAULT_MEAN_SESSION_SIZE;
	const candidates = accounts.filter((account) => {
		if (!isUsable(account, now)) return false;
		if (context.kind !== 'resume') return true;
		return usableQuota(account, now) >= (account.running + tuning.resumeRoom) * mean;
	});
	const gates = startGates(accounts, now);
	const idleWindows = (account: AccountView) =>
		(['fiveHour', 'weekly'] as const).filter((key) => isIdle(account[key], now));
	const startable = candidates.filter((account) => {
		const idle = idleWindows(account);
		return idle.length > 0 && idle.every((key) => gates[key]);
	});
	const started = candidates.filter((account) => idleWindows(account).length === 0);
	const pool = startable.length > 0 ? startable : started.length > 0 ? started : candidates;
	return minBy(pool, (account) => [-phaseScore(account, now), lastPickedKey(account)])?.id;
}

/** Our own strategy, the default. */
export const ours: Strategy = createOurs();
