import {type Clock, HOUR} from '../../../source/core/clock.ts';
import {noMarks} from '../../../source/core/model.ts';
import type {KickOutcome, SchedulerAccount} from '../../../source/core/scheduler/types.ts';

type Window = {resetAt: number | undefined; used: number};
type State = {five: Window; weekly: Window; overrides: Partial<SchedulerAccount>};

/**
A pool modelled as simulation-model.md says: a window starts when the account is charged and resets after
its length. The scheduler sees it through `accounts()` and kicks it through `sendKick`.
*/
export function createFakePool(clock: Clock, ids: readonly string[]) {
	const states = new Map<string, State>(
		ids.map((id) => [
			id,
			{five: {resetAt: undefined, used: 0}, weekly: {resetAt: undefined, used: 0}, overrides: {}},
		]),
	);
	const kicks: {accountId: string; at: number}[] = [];
	const roll = (window: Window, now: number) => {
		if (window.resetAt !== undefined && window.resetAt <= now) {
			window.resetAt = undefined;
			window.used = 0;
		}
	};

	const charge = (id: string, percent: number) => {
		const state = states.get(id)!;
		const now = clock.now();
		roll(state.five, now);
		roll(state.weekly, now);
		state.five.resetAt ??= now + 5 * HOUR;
		state.weekly.resetAt ??= now + 168 * HOUR;
		state.five.used += percent;
		state.weekly.used += percent / 8;
	};

	return {
		kicks,
		charge,
		state: (id: string) => states.get(id)!,
		set(id: string, overrides: Partial<SchedulerAccount>) {
			states.get(id)!.overrides = overrides;
		},
		accounts(): SchedulerAccount[] {
			const now = clock.now();
			return [...states.entries()].map(([id, state]) => {
				roll(state.five, now);
				roll(state.weekly, now);
				return {
					id,
					name: `acct-${id}`,
					plan: 'plus',
					fiveHour: {usedPercent: state.five.used, resetAt: state.five.resetAt, lengthMs: 5 * HOUR},
					weekly: {usedPercent: state.weekly.used, resetAt: state.weekly.resetAt, lengthMs: 168 * HOUR},
					running: 0,
					lastPickedAt: undefined,
					marks: noMarks,
					coolingUntil: undefined,
					needsLogin: false,
					...state.overrides,
				};
			});
		},
		async sendKick(accountId: string): Promise<KickOutcome> {
			kicks.push({accountId, at: clock.now()});
			charge(accountId, 0.01);
			return {
				ok: true,
				status: 200,
				model: 'test-mini',
				effort: 'low',
				inputTokens: 5,
				outputTokens: 1,
				rateLimitHeaders: {},
				durationMs: 1,
				detail: 'ok',
			};
		},
	};
}
