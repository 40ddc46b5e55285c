import type {KickOptions} from '../kicks/types.ts';
import {createRandom} from '../random.ts';
import type {AccountView, PickKind} from '../strategies/types.ts';
import {simAccounts} from './accounts.ts';
import {IdHeap} from './heap.ts';
import {
	arrivalRate,
	FIVE_HOUR_HOURS,
	INSTANT,
	KICK_AMOUNT,
	MS_PER_HOUR,
	type RunResult,
	SESSION_RATE,
	WEEKLY_HOURS,
	WEEKLY_QUOTA,
} from './model.ts';
import type {RunSetup} from './run-setup.ts';
import {percentile95} from './stats.ts';
import {type AccountArrays, createViews, refreshView} from './views.ts';
import {ScriptedWorkload, type SessionSource, Workload} from './workload.ts';

export type {Chooser, PauseRecord, RunSetup} from './run-setup.ts';

// Local copies: imported bindings may compile to getters, which cost in the hot loop.
const R = SESSION_RATE;
const W = WEEKLY_QUOTA;
const F_HOURS = FIVE_HOUR_HOURS;
const W_HOURS = WEEKLY_HOURS;
const EPS = INSTANT;
const MS = MS_PER_HOUR;
const KICK = KICK_AMOUNT;
const INF = Number.POSITIVE_INFINITY;
const kickOptions: KickOptions = {origin: 0, toleranceMs: INSTANT * MS_PER_HOUR, forecast: false};

/**
One run of the interruption model (`docs/simulation-model.md`), event by event. Time is in hours, quota in
weekly quotas. Events less than INSTANT apart are one instant, handled in the model's order: completions,
resets, exhaustion, resumption, kicks, arrivals. An account without a five-hour window has only its weekly
quota; a cap cuts a window's quota to its share (the account is exhausted at it, as the live pool treats it).
*/
export function simulateRun(setup: RunSetup): RunResult {
	const {params, seed, choose, kicks} = setup;
	const n = params.accounts;
	const horizon = params.days * 24;
	const workload: SessionSource =
		setup.sessions === undefined
			? new Workload(
					createRandom(seed, 0),
					arrivalRate(params.rho, params.mean, n),
					params.mean,
					params.scenario,
				)
			: new ScriptedWorkload(setup.sessions);
	const state: AccountArrays = {
		used5: new Float64Array(n),
		usedW: new Float64Array(n),
		reset5: new Float64Array(n).fill(INF),
		resetW: new Float64Array(n).fill(INF),
		running: new Int32Array(n),
		lastPicked: new Float64Array(n).fill(Number.NaN),
	};
	const {used5, usedW, reset5, resetW, running, lastPicked} = state;
	const exhaustAt = new Float64Array(n).fill(INF);
	const recovered = new Uint8Array(n);
	// Views are refreshed only for accounts whose state changed since their last refresh.
	const dirty = new Uint8Array(n).fill(1);
	const accounts = simAccounts(params);
	const {hasFiveHour, limit5, limitW} = accounts;
	const views = createViews(n, accounts);
	const indexOf = new Map(views.map((view, index) => [view.id, index]));
	const runningOn: number[][] = views.map(() => []);
	const pausedOn: number[][] = views.map(() => []);
	const queue: number[] = [];
	const context = {
		now: 0,
		kind: 'new' as PickKind,
		random: createRandom(seed, 1),
		previous: undefined as string | undefined,
		options: setup.strategyOptions,
	};

	let capacity =
		64 + (setup.sessions?.length ?? Math.ceil(arrivalRate(params.rho, params.mean, n) * horizon * 1.3));
	let completeAt = new Float64Array(capacity);
	let remaining = new Float64Array(capacity);
	let pauseStart = new Float64Array(capacity);
	const {observePause} = setup;
	let weeklyLeftAtPause = new Float64Array(observePause === undefined ? 0 : capacity);
	let accountOf = new Int32Array(capacity);
	let slot = new Int32Array(capacity);
	const heap = new IdHeap(completeAt);
	let sessions = 0;
	let pauses = new Float64Array(1024);
	let pauseCount = 0;
	let waitHours = 0;
	let moves = 0;
	let wasted = 0;
	let served = 0;
	let now = 0;
	let nextKickMs = kicks.nextCheck(views as AccountView[], -1, kickOptions);

	const usable = (i: number) => Math.min(limit5[i]! - used5[i]!, limitW[i]! - usedW[i]!);
	const charge = (i: number, amount: number, t: number) => {
		used5[i] = used5[i]! + amount;
		usedW[i] = usedW[i]! + amount;
		served += amount;
		dirty[i] = 1;
		if (reset5[i] === INF && hasFiveHour[i] === 1) reset5[i] = t + F_HOURS;
		if (resetW[i] === INF) resetW[i] = t + W_HOURS;
	};

	const grow = () => {
		capacity *= 2;
		const widen = <T extends Float64Array | Int32Array>(old: T, fresh: T) => {
			fresh.set(old);
			return fresh;
		};
		completeAt = widen(completeAt, new Float64Array(capacity));
		remaining = widen(remaining, new Float64Array(capacity));
		pauseStart = widen(pauseStart, new Float64Array(capacity));
		if (observePause !== undefined) {
			weeklyLeftAtPause = widen(weeklyLeftAtPause, new Float64Array(capacity));
		}

		accountOf = widen(accountOf, new Int32Array(capacity));
		slot = widen(slot, new Int32Array(capacity));
		heap.resize(completeAt);
	};

	const pause = (s: number, t: number) => {
		pauseStart[s] = t;
		if (observePause !== undefined) {
			let left = 0;
			for (let i = 0; i < n; i++) left += Math.max(0, W - usedW[i]!);
			weeklyLeftAtPause[s] = left;
		}
	};

	const endPause = (s: number, t: number) => {
		const length = t - pauseStart[s]!;
		waitHours += length;
		if (pauseCount === pauses.length) {
			const wider = new Float64Array(pauses.length * 2);
			wider.set(pauses);
			pauses = wider;
		}

		pauses[pauseCount++] = length;
		observePause?.({startedAt: pauseStart[s]!, hours: length, poolWeeklyLeft: weeklyLeftAtPause[s]!});
	};

	const attach = (s: number, i: number, t: number) => {
		accountOf[s] = i;
		const list = runningOn[i]!;
		slot[s] = list.length;
		list.push(s);
		running[i] = running[i]! + 1;
		dirty[i] = 1;
		if (running[i] === 1) charge(i, 0, t);
		completeAt[s] = t + remaining[s]! / R;
		heap.push(s);
	};

	const detach = (s: number) => {
		const i = accountOf[s]!;
		const list = runningOn[i]!;
		const last = list.pop()!;
		if (last !== s) {
			const at = slot[s]!;
			list[at] = last;
			slot[last] = at;
		}

		running[i] = running[i]! - 1;
		dirty[i] = 1;
	};

	const refreshAll = () => {
		for (let i = 0; i < n; i++) {
			if (dirty[i] === 1) {
				refreshView(views[i]!, state, i);
				dirty[i] = 0;
			}
		}
	};

	const anyUsable = () => {
		for (let i = 0; i < n; i++) if (usable(i) > EPS) return true;
		return false;
	};

	/**
	Ask the strategy (through the selection layer) with every account in view: the chosen index, or -1.
	A move or a resume must come back usable; a new session may be placed on an unusable account (it
	starts paused there), which only a strategy's fallback does when none is usable.
	*/
	const pick = (kind: PickKind, t: number, previous: number): number => {
		refreshAll();
		context.now = t * MS;
		context.kind = kind;
		context.previous = previous >= 0 ? views[previous]!.id : undefined;
		const id = choose(views as AccountView[], context);
		if (id === undefined) return -1;
		const index = indexOf.get(id);
		if (index === undefined || (kind !== 'new' && usable(index) <= EPS)) {
			throw new Error(`The strategy picked account "${id}" for a ${kind}, which is not usable.`);
		}

		lastPicked[index] = t;
		dirty[index] = 1;
		return index;
	};

	const offerQueue = (t: number) => {
		// Placing sessions never makes an account unusable within the instant, so one check serves the pass.
		if (!anyUsable()) return;
		let kept = 0;
		let q = 0;
		for (; q < queue.length; q++) {
			const s = queue[q]!;
			const previous = accountOf[s]!;
			const chosen = pick('resume', t, previous);
			if (chosen < 0) {
				// Nothing changed since this "none": the rest of the queue would get the same answer.
				if (setup.stateOnly === true) break;
				queue[kept++] = s;
				continue;
			}

			endPause(s, t);
			if (previous >= 0 && previous !== chosen) moves++;
			attach(s, chosen, t);
		}

		// Compact in place: the sessions left keep their order.
		if (q === kept) return;
		for (; q < queue.length; q++) queue[kept++] = queue[q]!;
		queue.length = kept;
	};

	for (;;) {
		let t = Math.min(workload.nextAt, nextKickMs / MS, heap.topKey());
		for (let i = 0; i < n; i++) {
			t = Math.min(t, reset5[i]!, resetW[i]!, exhaustAt[i]!);
		}

		if (t >= horizon) break;
		for (let i = 0; i < n; i++) {
			if (running[i]! > 0) {
				const amount = running[i]! * R * (t - now);
				used5[i] = used5[i]! + amount;
				usedW[i] = usedW[i]! + amount;
				served += amount;
				dirty[i] = 1;
			}
		}

		now = t;
		const end = t + EPS;

		// 1. Completions.
		while (heap.topKey() <= end) {
			const s = heap.top();
			heap.remove(s);
			detach(s);
		}

		// 2. Window resets; sessions running at that instant start the window again at once.
		let anyRecovered = false;
		for (let i = 0; i < n; i++) {
			if (reset5[i]! > end && resetW[i]! > end) continue;
			const before = usable(i) > EPS;
			dirty[i] = 1;
			if (reset5[i]! <= end) {
				used5[i] = 0;
				reset5[i] = INF;
			}

			if (resetW[i]! <= end) {
				wasted += Math.max(0, W - usedW[i]!);
				usedW[i] = 0;
				resetW[i] = INF;
			}

			if (running[i]! > 0) charge(i, 0, t);
			if (!before && usable(i) > EPS) {
				recovered[i] = 1;
				anyRecovered = true;
			}
		}

		// 3. Exhaustion of accounts with running sessions, sessions in arrival order.
		let exhausted: number[] | undefined;
		for (let i = 0; i < n; i++) {
			const k = running[i]!;
			if (k === 0) continue;
			const left = usable(i);
			if (left > EPS && t + left / (k * R) > end) continue;
			if (left > 0) charge(i, left, t);
			exhausted ??= [];
			for (const s of runningOn[i]!) exhausted.push(s);
			runningOn[i]!.length = 0;
			running[i] = 0;
			dirty[i] = 1;
		}

		if (exhausted !== undefined) {
			exhausted.sort((a, b) => a - b);
			for (const s of exhausted) {
				heap.remove(s);
				remaining[s] = Math.max(0, (completeAt[s]! - t) * R);
				const from = accountOf[s]!;
				const to = params.movement && anyUsable() ? pick('move', t, from) : -1;
				if (to >= 0) {
					moves++;
					attach(s, to, t);
				} else {
					pause(s, t);
					(params.movement ? queue : pausedOn[from]!).push(s);
				}
			}
		}

		// 4. Resumption: sessions paused on a recovered account, then the queue.
		if (anyRecovered) {
			for (let i = 0; i < n; i++) {
				if (recovered[i] === 0) continue;
				recovered[i] = 0;
				const paused = pausedOn[i]!;
				for (const s of paused) {
					endPause(s, t);
					attach(s, i, t);
				}

				paused.length = 0;
			}

			if (queue.length > 0) offerQueue(t);
		}

		// 5. Kicks.
		if (nextKickMs / MS <= end) {
			refreshAll();
			for (const kick of kicks.plan(views as AccountView[], nextKickMs, kickOptions)) {
				const i = indexOf.get(kick.accountId);
				if (i === undefined || kick.at > nextKickMs + kickOptions.toleranceMs!) continue;
				const amount = Math.min(KICK, usable(i));
				if (amount > EPS) charge(i, amount, t);
			}

			refreshAll();
			nextKickMs = kicks.nextCheck(views as AccountView[], nextKickMs, kickOptions);
		}

		// 6. Arrivals.
		while (workload.nextAt <= end && workload.nextAt < horizon) {
			if (sessions === capacity) grow();
			const s = sessions++;
			remaining[s] = workload.nextSize;
			accountOf[s] = -1;
			workload.advance();
			const chosen = pick('new', t, -1);
			if (chosen >= 0 && usable(chosen) > EPS) {
				attach(s, chosen, t);
				continue;
			}

			// No usable account, or the strategy answered none: the session starts paused, on the account
			// the strategy's fallback chose (without movement) or in the queue.
			pause(s, t);
			accountOf[s] = chosen;
			(chosen >= 0 && !params.movement ? pausedOn[chosen]! : queue).push(s);
		}

		for (let i = 0; i < n; i++) {
			const k = running[i]!;
			exhaustAt[i] = k === 0 ? INF : t + usable(i) / (k * R);
		}
	}

	for (let i = 0; i < n; i++) {
		if (running[i]! > 0) served += running[i]! * R * (horizon - now);
		for (const s of pausedOn[i]!) endPause(s, horizon);
	}

	for (const s of queue) endPause(s, horizon);
	return {
		interruptions: pauseCount,
		waitHours,
		moves,
		p95PauseHours: percentile95(pauses, pauseCount),
		wastedShare: wasted / ((n * W * horizon) / W_HOURS),
		served,
		sessions,
	};
}
