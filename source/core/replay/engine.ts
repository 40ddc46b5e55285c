import type {KickOptions, KickPolicy} from '../kicks/types.ts';
import {noMarks, type StrategyOptions} from '../model.ts';
import {createRandom} from '../random.ts';
import {IdHeap} from '../sim/heap.ts';
import {percentile95} from '../sim/stats.ts';
import type {AccountView, PickContext, PickKind} from '../strategies/types.ts';
import {planCapacity} from '../strategies/views.ts';
import {type PlanCost, requestCost} from './cost-model.ts';
import type {Trace} from './trace.ts';

/*
The trace-driven counterpart of sim/run.ts: the same accounts and windows (a window starts at its first charge
and is idle again at its reset), the same strategies behind the same selection layer, the same kick policies
and the same idea of movement, but the work is the user's own requests at their own times, each charged at
what the cost model says it costs on the serving account's plan. A request that finds no usable account waits
(an interruption), and every later request of its session moves later by the wait.
*/

export type Chooser = (accounts: readonly AccountView[], context: PickContext) => string | undefined;

export type ReplayMode =
	/** The recorded setup: each session stays on the account it was recorded on, no pool, no kicks. */
	| {readonly kind: 'recorded'}
	| {
			readonly kind: 'pool';
			readonly choose: Chooser;
			readonly movement: boolean;
			readonly kicks: KickPolicy;
			readonly strategyOptions?: StrategyOptions | undefined;
			/** The strategy answers only from the accounts and the time (see sim/run.ts `stateOnly`). */
			readonly stateOnly?: boolean | undefined;
	  };

export type ReplaySetup = {
	readonly trace: Trace;
	/** One cost per simulated account (its plan's); in the recorded mode, one per `trace.accounts`. */
	readonly accounts: readonly {readonly plan: string; readonly cost: PlanCost}[];
	readonly mode: ReplayMode;
	readonly seed?: number;
	/** Told of every pause when it ends: when it began (ms) and how long it lasted (hours). */
	readonly observePause?: (startedAt: number, hours: number) => void;
};

export type ReplayResult = {
	readonly interruptions: number;
	readonly waitHours: number;
	readonly moves: number;
	readonly p95PauseHours: number;
	/** Weekly quota left unused at weekly resets, over the pool's weekly capacity in the span (capacity-weighted). */
	readonly wastedShare: number;
	/** Requests served, and those pushed past the end of the history by waits. */
	readonly served: number;
	readonly unserved: number;
};

const HOUR = 3_600_000;
const FIVE_HOURS = 5 * HOUR;
const WEEK = 168 * HOUR;
const INF = Number.POSITIVE_INFINITY;
/** A session keeps its account this long after its last request, as the live registry does (ttlMs). */
const AFFINITY_MS = 24 * HOUR;
/** It counts as running on its account this long after a request (the registry's activeWindowMs). */
const RUNNING_MS = 10 * 60_000;
/** A kick is a minimal request: this many uncached input and output tokens at the plan's cost. */
const KICK_TOKENS = {uncached: 500, output: 5};
const kickOptionsFor = (origin: number): KickOptions => ({origin, toleranceMs: 1, forecast: false});

export function replayRun(setup: ReplaySetup): ReplayResult {
	const {trace, mode} = setup;
	const n = setup.accounts.length;
	const pool = mode.kind === 'pool' ? mode : undefined;
	const horizon = trace.to + 1;
	const sessions = trace.sessionCount;
	// Each plan's per-request costs, computed once per plan.
	const costs = new Map<PlanCost, {five: Float64Array; week: Float64Array}>();
	const costArrays = setup.accounts.map(({cost}) => {
		let arrays = costs.get(cost);
		if (arrays === undefined) {
			const five = new Float64Array(trace.at.length);
			const week = new Float64Array(trace.at.length);
			for (let r = 0; r < trace.at.length; r++) {
				[five[r], week[r]] = requestCost(cost, trace.uncached[r]!, trace.cached[r]!, trace.output[r]!);
			}

			arrays = {five, week};
			costs.set(cost, arrays);
		}

		return arrays;
	});
	const kickCost = setup.accounts.map(({cost}) =>
		requestCost(cost, KICK_TOKENS.uncached, 0, KICK_TOKENS.output),
	);
	const hasFive = setup.accounts.map(({cost}) => cost.fiveHour !== undefined);
	const weight = setup.accounts.map(({plan}) => planCapacity(plan) / planCapacity('plus'));
	const used5 = new Float64Array(n);
	const usedW = new Float64Array(n);
	const reset5 = new Float64Array(n).fill(INF);
	const resetW = new Float64Array(n).fill(INF);
	const lastPicked = new Float64Array(n).fill(Number.NaN);
	const views = setup.accounts.map((account, index) => ({
		id: mode.kind === 'recorded' ? trace.accounts[index]! : `a${index + 1}`,
		plan: account.plan,
		// A weekly-only plan has no 5-hour window, and strategies and kick policies are told so.
		fiveHour:
			account.cost.fiveHour === undefined
				? undefined
				: {usedPercent: 0, resetAt: undefined as number | undefined, lengthMs: FIVE_HOURS},
		weekly: {usedPercent: 0, resetAt: undefined as number | undefined, lengthMs: WEEK},
		running: 0,
		lastPickedAt: undefined as number | undefined,
		marks: noMarks,
		coolingUntil: undefined,
		needsLogin: false,
	}));
	const indexOf = new Map(views.map((view, index) => [view.id, index]));

	const next = new Int32Array(sessions);
	const shift = new Float64Array(sessions);
	const due = new Float64Array(sessions);
	const accountOf = new Int32Array(sessions).fill(-1);
	const lastActive = new Float64Array(sessions).fill(-INF);
	const pausedSince = new Float64Array(sessions).fill(Number.NaN);
	const heap = new IdHeap(due);
	const queue: number[] = [];
	let recent: number[] = [];
	const inRecent = new Uint8Array(sessions);
	let pauses = new Float64Array(256);
	let pauseCount = 0;
	let waitHours = 0;
	let moves = 0;
	let wasted = 0;
	let served = 0;
	const context = {
		now: 0,
		kind: 'new' as PickKind,
		random: createRandom(setup.seed ?? 0, 1),
		previous: undefined as string | undefined,
		options: pool?.strategyOptions,
	};

	for (let s = 0; s < sessions; s++) {
		next[s] = trace.sessionStart[s]!;
		due[s] = trace.at[next[s]!]!;
		if (mode.kind === 'recorded') accountOf[s] = trace.sessionAccount[s]!;
		heap.push(s);
	}

	const usable = (i: number) => (!hasFive[i] || used5[i]! < 100) && usedW[i]! < 100;
	const anyUsable = () => {
		for (let i = 0; i < n; i++) if (usable(i)) return true;
		return false;
	};

	/** When an unusable account is usable again: the latest reset among its full windows. */
	const usableAt = (i: number) => {
		let at = 0;
		if (hasFive[i] && used5[i]! >= 100) at = Math.max(at, reset5[i]!);
		if (usedW[i]! >= 100) at = Math.max(at, resetW[i]!);
		return at;
	};

	const charge = (i: number, five: number, week: number, t: number) => {
		if (hasFive[i]) {
			used5[i] = used5[i]! + five;
			if (reset5[i] === INF) reset5[i] = t + FIVE_HOURS;
		}

		usedW[i] = usedW[i]! + week;
		if (resetW[i] === INF) resetW[i] = t + WEEK;
	};

	const refresh = (t: number) => {
		const running = new Int32Array(n);
		recent = recent.filter((s) => {
			const keep = t - lastActive[s]! <= RUNNING_MS;
			if (!keep) inRecent[s] = 0;
			return keep;
		});
		for (const s of recent) {
			const a = accountOf[s]!;
			if (a >= 0) running[a] = running[a]! + 1;
		}

		for (let i = 0; i < n; i++) {
			const view = views[i]!;
			if (view.fiveHour !== undefined) {
				view.fiveHour.usedPercent = Math.min(100, used5[i]!);
				view.fiveHour.resetAt = reset5[i] === INF ? undefined : reset5[i];
			}

			view.weekly.usedPercent = Math.min(100, usedW[i]!);
			view.weekly.resetAt = resetW[i] === INF ? undefined : resetW[i];
			view.running = running[i]!;
			view.lastPickedAt = Number.isNaN(lastPicked[i]!) ? undefined : lastPicked[i];
		}
	};

	const pick = (kind: PickKind, t: number, previous: number): number => {
		refresh(t);
		context.now = t;
		context.kind = kind;
		context.previous = previous >= 0 ? views[previous]!.id : undefined;
		const id = pool!.choose(views as AccountView[], context);
		const index = id === undefined ? -1 : (indexOf.get(id) ?? -1);
		if (index >= 0) lastPicked[index] = t;
		return index;
	};

	const addPause = (hours: number) => {
		if (pauseCount === pauses.length) {
			const wider = new Float64Array(pauses.length * 2);
			wider.set(pauses);
			pauses = wider;
		}

		pauses[pauseCount++] = hours;
	};

	const recordPause = (s: number, t: number) => {
		const length = (t - pausedSince[s]!) / HOUR;
		setup.observePause?.(pausedSince[s]!, length);
		waitHours += length;
		addPause(length);
		shift[s] = shift[s]! + (t - pausedSince[s]!);
		pausedSince[s] = Number.NaN;
	};

	/** Serves the session's pending request on account `i` at `t`, and schedules its next one. */
	const serve = (s: number, i: number, t: number) => {
		const r = next[s]!;
		accountOf[s] = i;
		charge(i, costArrays[i]!.five[r]!, costArrays[i]!.week[r]!, t);
		served++;
		if (inRecent[s] === 0) {
			inRecent[s] = 1;
			recent.push(s);
		}

		lastActive[s] = t;
		next[s] = r + 1;
		if (r + 1 < trace.sessionEnd[s]!) {
			due[s] = trace.at[r + 1]! + shift[s]!;
			heap.push(s);
		}
	};

	/** The pending request finds no account: the session pauses (or, for an abandoned demand, ends). */
	const pause = (s: number, t: number, on: number) => {
		const r = next[s]!;
		if (trace.abandoned[r] === 1) {
			// The user gave up here: one interruption, no wait, and the session goes on only if it has more.
			addPause(0);
			next[s] = r + 1;
			if (r + 1 < trace.sessionEnd[s]!) {
				due[s] = trace.at[r + 1]! + shift[s]!;
				heap.push(s);
			}

			return;
		}

		pausedSince[s] = t;
		if (on >= 0 && !pool?.movement) {
			due[s] = usableAt(on);
			heap.push(s);
		} else {
			queue.push(s);
		}
	};

	const arrive = (s: number, t: number) => {
		if (!Number.isNaN(pausedSince[s]!)) recordPause(s, t);
		let a = accountOf[s]!;
		const fresh = pool !== undefined && (a < 0 || t - lastActive[s]! > AFFINITY_MS);
		if (fresh) a = pick('new', t, -1);
		if (a >= 0 && usable(a)) {
			serve(s, a, t);
			return;
		}

		if (pool?.movement && !fresh && a >= 0 && anyUsable()) {
			const b = pick('move', t, a);
			if (b >= 0 && usable(b)) {
				if (b !== a) moves++;
				serve(s, b, t);
				return;
			}
		}

		if (a >= 0) accountOf[s] = a;
		pause(s, t, a);
	};

	const offerQueue = (t: number) => {
		if (!anyUsable()) return;
		const waiting = queue.splice(0);
		for (let q = 0; q < waiting.length; q++) {
			const s = waiting[q]!;
			const previous = accountOf[s]!;
			const chosen = pool === undefined ? previous : pick('resume', t, previous);
			if (chosen < 0 || !usable(chosen)) {
				if (pool?.stateOnly === true) {
					queue.push(...waiting.slice(q));
					return;
				}

				queue.push(s);
				continue;
			}

			recordPause(s, t);
			if (previous >= 0 && previous !== chosen) moves++;
			serve(s, chosen, t);
		}
	};

	const kickOptions = kickOptionsFor(trace.from);
	const kicks = pool?.kicks;
	refresh(trace.from);
	let nextKick =
		kicks === undefined ? INF : kicks.nextCheck(views as AccountView[], trace.from - 1, kickOptions);

	for (;;) {
		let t = Math.min(heap.topKey(), nextKick);
		for (let i = 0; i < n; i++) t = Math.min(t, reset5[i]!, resetW[i]!);
		if (t >= horizon) break;

		// Window resets first: a request at the very moment of a reset finds the window fresh.
		let recovered = false;
		for (let i = 0; i < n; i++) {
			if (reset5[i]! > t && resetW[i]! > t) continue;
			const before = usable(i);
			if (reset5[i]! <= t) {
				used5[i] = 0;
				reset5[i] = INF;
			}

			if (resetW[i]! <= t) {
				wasted += Math.max(0, 100 - usedW[i]!) * weight[i]!;
				usedW[i] = 0;
				resetW[i] = INF;
			}

			if (!before && usable(i)) recovered = true;
		}

		if (recovered && queue.length > 0) offerQueue(t);
		if (kicks !== undefined && nextKick <= t) {
			refresh(t);
			for (const kick of kicks.plan(views as AccountView[], nextKick, kickOptions)) {
				const i = indexOf.get(kick.accountId);
				if (i === undefined || kick.at > nextKick + 1 || !usable(i)) continue;
				charge(i, kickCost[i]![0], kickCost[i]![1], t);
			}

			refresh(t);
			nextKick = kicks.nextCheck(views as AccountView[], nextKick, kickOptions);
		}

		while (heap.topKey() <= t) {
			const s = heap.top();
			heap.remove(s);
			arrive(s, t);
		}
	}

	let unserved = 0;
	for (let s = 0; s < sessions; s++) {
		if (!Number.isNaN(pausedSince[s]!)) recordPause(s, horizon);
		unserved += trace.sessionEnd[s]! - next[s]!;
	}

	const capacity = weight.reduce((sum, w) => sum + w, 0) * 100 * ((horizon - trace.from) / WEEK);
	return {
		interruptions: pauseCount,
		waitHours,
		moves,
		p95PauseHours: percentile95(pauses, pauseCount),
		wastedShare: capacity > 0 ? wasted / capacity : 0,
		served,
		unserved,
	};
}
