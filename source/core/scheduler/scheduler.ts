import {canonicalKickPolicyName, kickPolicies} from '../kicks/index.ts';
import type {PlannedKick, SchedulerPlan} from '../model.ts';
import type {SchedulerSettings} from '../store/types.ts';
import {inFilter, type KickAttempt} from './eligibility.ts';
import {placeKick} from './placement.ts';
import {type ArmedKick, forecastKicks, notKicked, policyView} from './plan.ts';
import {validateQuietHours} from './quiet-hours.ts';
import {createCronTimers} from './timers.ts';
import type {
	CancelTimer,
	KickOutcome,
	KickPolicy,
	Scheduler,
	SchedulerIntervals,
	SchedulerOptions,
} from './types.ts';

export const defaultIntervals: SchedulerIntervals = {
	pollMs: 60_000,
	pollJitter: 0.1,
	refreshGuardMs: 5 * 60_000,
	replanMs: 5 * 60_000,
	retryAfterFailureMs: 10 * 60_000,
};

/** A kick that keeps meeting short waits (a reset, then a cool-down, ...) gives up after this many. */
const MAX_WAITS = 4;

/**
The staggering scheduler. It runs a kick policy the way the simulator does: at each of the policy's checks
it asks `plan` and sends the kicks that are due, after checking each against fresh state (marks, login,
windows, quiet hours, one kick per window); between checks it sleeps on a cron timer. It also polls usage
and guards token refresh on recurring jobs. Kicks are off until `settings.enabled`; the plan is shown
either way.
*/
export function createScheduler(options: SchedulerOptions): Scheduler {
	const {clock, onEvent} = options;
	const intervals = {...defaultIntervals, ...options.intervals};
	const timers = options.timers ?? createCronTimers(clock);
	const random = options.random ?? Math.random;
	const policies = options.policies ?? Object.values(kickPolicies);
	const startedAt = clock.now();
	const origin = options.origin ?? startedAt;
	// A check may run late by the timer's lag (up to ~100 real ms when busy), which a fast clock multiplies.
	const policyOptions = {origin, toleranceMs: Math.max(60_000, 100 * clock.speed)};
	let settings = startingSettings(options.settings, (message) =>
		onEvent({type: 'error', at: startedAt, job: 'plan', message}),
	);
	const attempts = new Map<string, KickAttempt>();
	/** When each account last had a due kick handled, so one tick is not handled twice. */
	const handled = new Map<string, number>();
	const kicking = new Set<string>();
	const deferred = new Map<string, ArmedKick & {waits: number}>();
	const deferTimers = new Map<string, CancelTimer>();
	const jobTimers = new Map<string, CancelTimer>();
	const inFlight = new Set<Promise<unknown>>();
	let wakeTimer: CancelTimer | undefined;
	let plan: readonly PlannedKick[] = [];
	let leftAlone: ReturnType<typeof notKicked> = [];
	let stopped = false;

	/** Keeps a job's promise for whenIdle/stop; a job that throws is reported, never left unhandled. */
	const track = (promise: Promise<unknown>, job: 'kick' | 'poll' | 'refresh-guard' = 'kick') => {
		const settled = promise
			.catch((error: unknown) => onEvent({type: 'error', at: clock.now(), job, message: messageOf(error)}))
			.finally(() => inFlight.delete(settled));
		inFlight.add(settled);
	};

	const snapshot = (): SchedulerPlan => ({
		enabled: settings.enabled,
		dryRun: settings.dryRun,
		policy: settings.policy,
		accounts: settings.accounts,
		quietHours: settings.quietHours,
		nextKicks: plan,
		notKicked: leftAlone,
	});

	const policy = (): KickPolicy => {
		const wanted = canonicalKickPolicyName(settings.policy);
		const found = policies.find((candidate) => candidate.name === wanted);
		if (!found) {
			const names = policies.map((candidate) => candidate.name).join(', ');
			throw new Error(`Unknown kick policy "${settings.policy}"; choose one of: ${names}.`);
		}

		return found;
	};

	const fresh = () => options.getAccounts().filter((account) => inFilter(settings, account.id));

	/*
	Kicks are carried out only at the policy's own checks (the times `nextCheck` gave), as the simulator
	runs it: a policy may read a check off its grid as a special moment (`rotate-restart` restarts idle accounts at a
	weekly reset). Other wakes (every `replanMs`, after a kick, on a settings change) only refresh the plan.
	*/
	let scheduledCheck: number | undefined = origin >= startedAt ? origin : undefined;

	/** Asks the policy; at a scheduled check, sends what is due. Always refreshes the plan on show. */
	const check = () => {
		if (stopped) {
			return;
		}

		wakeTimer?.();
		const now = clock.now();
		let nextWake = now + intervals.replanMs;
		try {
			const current = policy();
			const accounts = fresh();
			leftAlone = notKicked(accounts, now);
			const seen = policyView(accounts, attempts, now);
			const kicks = current.plan(seen, now, policyOptions);
			const onCheck = scheduledCheck !== undefined && now >= scheduledCheck;
			if (onCheck && settings.enabled) {
				for (const kick of kicks) {
					const last = handled.get(kick.accountId);
					if (kick.at <= now && (last === undefined || now - last > policyOptions.toleranceMs)) {
						handled.set(kick.accountId, now);
						// After this check is done: carrying out re-enters `check` to refresh the plan.
						track(Promise.resolve().then(() => carryOut({kick, plannedAt: kick.at, waits: 0})));
					}
				}
			}

			const nextCheck = current.nextCheck(seen, now, policyOptions);
			// The policy's answer from now on, except when a check is due within its tolerance: asked that close
			// before a tick, a policy already counts it as the current one and names the tick after.
			const imminent =
				!onCheck && scheduledCheck !== undefined && scheduledCheck - now <= policyOptions.toleranceMs;
			scheduledCheck = imminent ? scheduledCheck! : nextCheck;
			// Policies count a check a little before a tick as on it: never wake just short of the next check.
			nextWake = nextWake > scheduledCheck - policyOptions.toleranceMs ? scheduledCheck : nextWake;
			plan = forecastKicks({
				policy: current,
				options: policyOptions,
				seen,
				// What is due now is being carried out, or is not for now (off a check); with kicks off, it shows.
				kicks: kicks.filter((kick) => kick.at > now || (onCheck && !settings.enabled)),
				accounts,
				attempts,
				deferred,
				now,
				settings,
				retryAfterFailureMs: intervals.retryAfterFailureMs,
			});
		} catch (error) {
			plan = [];
			onEvent({type: 'error', at: now, job: 'plan', message: messageOf(error)});
		}

		wakeTimer?.();
		wakeTimer = timers.at(Math.max(nextWake, now + 1), check, 'kick check');
		onEvent({type: 'plan', plan: snapshot()});
	};

	const carryOut = async (armed: ArmedKick & {waits: number}): Promise<void> => {
		const {kick, plannedAt} = armed;
		deferred.delete(kick.accountId);
		deferTimers.get(kick.accountId)?.();
		deferTimers.delete(kick.accountId);
		if (stopped || !settings.enabled) {
			return;
		}

		const now = clock.now();
		const account = fresh().find((candidate) => candidate.id === kick.accountId);
		const placement = !account
			? ({kind: 'blocked', reason: 'not an account the scheduler may kick (any more)'} as const)
			: kicking.has(account.id)
				? ({kind: 'blocked', reason: 'a kick of it is still running'} as const)
				: placeKick(kick, account, now, settings, attempts.get(account.id), intervals.retryAfterFailureMs);
		if (placement.kind === 'kick' && placement.kick.at > now && armed.waits < MAX_WAITS) {
			// Fresh state says wait a little (a reset due in a moment, a cool-down): the kick keeps its tick.
			const later = {kick: placement.kick, plannedAt, waits: armed.waits + 1};
			deferred.set(kick.accountId, later);
			deferTimers.set(
				kick.accountId,
				timers.at(placement.kick.at, () => track(carryOut(later)), `kick ${kick.accountId}`),
			);
			check();
			return;
		}

		if (placement.kind === 'blocked' || placement.kick.at > now || !account) {
			const reason = placement.kind === 'blocked' ? placement.reason : 'kept waiting too long';
			onEvent({type: 'skip', at: now, accountId: kick.accountId, reason});
			check();
			return;
		}

		const label = `${account.name ?? account.id} (${kick.reason})`;
		attempts.set(account.id, {at: now, plannedAt, ok: true});
		if (settings.dryRun) {
			// Remembered like a real kick, so a dry run plans the way the real one would.
			const detail = `dry run: would kick ${label}; nothing sent`;
			onEvent({
				type: 'kick',
				kick: {at: now, accountId: account.id, dryRun: true, ok: true, detail},
				outcome: undefined,
			});
			check();
			return;
		}

		kicking.add(account.id);
		let outcome: KickOutcome;
		try {
			outcome = await options.sendKick(account.id);
		} catch (error) {
			outcome = failedOutcome(messageOf(error));
		} finally {
			kicking.delete(account.id);
		}

		attempts.set(account.id, {at: now, plannedAt, ok: outcome.ok});
		const detail = `kicked ${label}: ${outcome.detail}`;
		onEvent({
			type: 'kick',
			kick: {at: now, accountId: account.id, dryRun: false, ok: outcome.ok, detail},
			outcome,
		});
		check();
	};

	/** A recurring job that never overlaps itself; `jitter` spreads its runs by ± that share. */
	const every = (
		name: 'poll' | 'refresh-guard',
		intervalMs: number,
		jitter: number,
		run: () => Promise<void>,
	) => {
		let running = false;
		const schedule = () => {
			const spread = jitter > 0 ? (random() * 2 - 1) * jitter * intervalMs : 0;
			jobTimers.set(name, timers.at(clock.now() + intervalMs + spread, tick, name));
		};

		const tick = () => {
			if (stopped) {
				return;
			}

			schedule();
			if (running) {
				return;
			}

			running = true;
			track(
				Promise.resolve()
					.then(run)
					.finally(() => {
						running = false;
					}),
				name,
			);
		};

		schedule();
	};

	if (options.pollUsage) {
		every('poll', intervals.pollMs, intervals.pollJitter, options.pollUsage);
	}

	if (options.refreshGuard) {
		every('refresh-guard', intervals.refreshGuardMs, 0, options.refreshGuard);
	}

	check();

	return {
		getPlan: snapshot,
		updateSettings(next) {
			settings = checkedSettings(next);
			check();
		},
		replan: check,
		async whenIdle() {
			while (inFlight.size > 0) {
				await Promise.allSettled([...inFlight]);
			}
		},
		async stop() {
			stopped = true;
			for (const cancel of [wakeTimer, ...deferTimers.values(), ...jobTimers.values()]) {
				cancel?.();
			}

			deferTimers.clear();
			jobTimers.clear();
			deferred.clear();
			plan = [];
			await Promise.allSettled([...inFlight]);
		},
	};
}

/*
Bad quiet hours saved earlier must not stop the core from starting, nor be ignored: kicks stay off until the
setting is fixed, and the error says so.
*/
function startingSettings(settings: SchedulerSettings, report: (message: string) => void): SchedulerSettings {
	try {
		return checkedSettings(settings);
	} catch (error) {
		report(`${messageOf(error)} Kicks are off until the quiet hours are fixed.`);
		return {...settings, enabled: false, quietHours: undefined};
	}
}

/** Throws a QuietHoursError for quiet hours that are not "HH:MM"-"HH:MM". */
function checkedSettings(settings: SchedulerSettings): SchedulerSettings {
	if (settings.quietHours) {
		validateQuietHours(settings.quietHours);
	}

	return settings;
}

function failedOutcome(message: string): KickOutcome {
	return {
		ok: false,
		status: undefined,
		model: undefined,
		effort: undefined,
		inputTokens: 0,
		outputTokens: 0,
		rateLimitHeaders: {},
		durationMs: 0,
		detail: `the kick failed: ${message}`,
	};
}

function messageOf(error: unknown): string {
	return error instanceof Error ? error.message : String(error);
}
