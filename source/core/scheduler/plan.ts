import type {PlannedKick} from '../model.ts';
import type {SchedulerSettings} from '../store/types.ts';
import {capPercent, effectiveAccountView, windowCappedOut} from '../strategies/views.ts';
import type {KickAttempt} from './eligibility.ts';
import {placeKick, RESET_GRACE_MS} from './placement.ts';
import {isQuiet, nextAllowed} from './quiet-hours.ts';
import type {KickOptions, KickPolicy, SchedulerAccount} from './types.ts';

/** A kick to carry out, with the time its policy first gave it (it may have been moved since). */
export type ArmedKick = {readonly kick: PlannedKick; readonly plannedAt: number};

/**
The accounts as the policy is shown them: in id order (a rotation must not reshuffle when the store's order
changes), without those only the user can make kickable again (evicted, drained, needing a login), so a
rotation spaces the accounts that can be used. An account whose weekly quota is spent stays: it comes back
by itself, and a policy may act at that moment (`rotate-restart` does); windows brought to `now`, and a window our own kick started
shown resetting when the plan says (see below).
*/
export function policyView(
	accounts: readonly SchedulerAccount[],
	attempts: ReadonlyMap<string, KickAttempt>,
	now: number,
): SchedulerAccount[] {
	return accounts
		.filter((account) => !account.marks.evicted && !account.marks.drained && !account.needsLogin)
		.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
		.map((account) => {
			const own = withOwnKick(account, attempts.get(account.id));
			const {fiveHour, weekly} = effectiveAccountView(own, now);
			return {...own, fiveHour, weekly};
		});
}

/**
The accounts the scheduler leaves alone for a reason of their own, as the plan says it: no 5-hour window (a
kick cannot stagger what does not exist), or a window at the user's cap (it takes no work until the reset).
*/
export function notKicked(
	accounts: readonly SchedulerAccount[],
	now: number,
): {readonly accountId: string; readonly reason: string}[] {
	const out: {accountId: string; reason: string}[] = [];
	for (const account of accounts) {
		if (account.fiveHour === undefined) {
			out.push({
				accountId: account.id,
				reason: 'no 5-hour window: a kick cannot stagger what does not exist',
			});
			continue;
		}

		for (const key of ['fiveHour', 'weekly'] as const) {
			if (windowCappedOut(account, key, now)) {
				const name = key === 'fiveHour' ? '5-hour' : 'weekly';
				out.push({
					accountId: account.id,
					reason: `${name} window at its cap (${capPercent(account, key)}%) until it resets`,
				});
				break;
			}
		}
	}

	return out;
}

export type ForecastInput = {
	readonly policy: KickPolicy;
	readonly options: KickOptions;
	/** What the policy was shown (policyView) and what it answered at `now`. */
	readonly seen: readonly SchedulerAccount[];
	readonly kicks: readonly PlannedKick[];
	/** Fresh state of the accounts the scheduler may kick (the user's filter applied). */
	readonly accounts: readonly SchedulerAccount[];
	readonly attempts: ReadonlyMap<string, KickAttempt>;
	/** Kicks that came due but wait a little for a reset or a cool-down. */
	readonly deferred: ReadonlyMap<string, ArmedKick>;
	readonly now: number;
	readonly settings: SchedulerSettings;
	readonly retryAfterFailureMs: number;
};

/**
The next kick of every account, for the plan on show: the policy's forecast, moved out of quiet hours and
past short waits, without what the checks at kick time would refuse.
*/
export function forecastKicks(input: ForecastInput): PlannedKick[] {
	const {policy, now, settings, seen} = input;
	const earliest = new Map<string, PlannedKick>();
	for (const kick of [...input.kicks, ...[...input.deferred.values()].map((armed) => armed.kick)]) {
		const known = earliest.get(kick.accountId);
		if (!known || kick.at < known.at) {
			earliest.set(kick.accountId, kick);
		}
	}

	// A kick forecast in the quiet hours will be skipped; show what the policy would do once they end.
	const afterQuiet = new Map<number, PlannedKick[]>();
	const outsideQuiet = (kick: PlannedKick): PlannedKick | undefined => {
		const due = Math.max(kick.at, now);
		const end = nextAllowed(settings.quietHours, due);
		if (end === due) {
			return kick;
		}

		if (!afterQuiet.has(end)) {
			afterQuiet.set(end, policy.plan(seen, end, input.options));
		}

		const later = afterQuiet
			.get(end)!
			.filter((candidate) => candidate.accountId === kick.accountId && candidate.at >= end)
			.sort((a, b) => a.at - b.at)[0];
		return later && !isQuiet(settings.quietHours, later.at)
			? {...later, reason: `${later.reason} (after quiet hours)`}
			: undefined;
	};

	const byId = new Map(input.accounts.map((account) => [account.id, account]));
	const shown: PlannedKick[] = [];
	for (const planned of earliest.values()) {
		const kick = outsideQuiet(planned);
		const account = byId.get(planned.accountId);
		if (!kick || !account) {
			continue;
		}

		const attempt = input.attempts.get(account.id);
		const placement = placeKick(kick, account, now, settings, attempt, input.retryAfterFailureMs);
		if (placement.kind === 'kick') {
			shown.push(placement.kick);
		}
	}

	return shown.sort((a, b) => a.at - b.at || (a.accountId < b.accountId ? -1 : 1));
}

/*
A window our own kick started resets, as the upstream stamps it, a few seconds after the planned kick + 5 h
(request latency, a kick that waited for a reset, whole-second reset times). A policy that expects the
window idle at exactly planned + 5 h would see it still running then and skip a whole rotation, and the
delay would grow every cycle; so the policy is shown the reset the plan implies. The checks at kick time use
the real reset time (and wait those seconds: see placement.ts).
*/
function withOwnKick(account: SchedulerAccount, attempt: KickAttempt | undefined): SchedulerAccount {
	const fiveHour = account.fiveHour;
	const resetAt = fiveHour?.resetAt;
	if (!attempt?.ok || fiveHour === undefined || resetAt === undefined) {
		return account;
	}

	const implied = attempt.plannedAt + fiveHour.lengthMs;
	return Math.abs(resetAt - implied) <= RESET_GRACE_MS && resetAt !== implied
		? {...account, fiveHour: {...fiveHour, resetAt: implied}}
		: account;
}
