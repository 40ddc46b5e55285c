import assert from 'node:assert/strict';
import {describe, it} from 'node:test';
import {getKickPolicy} from '../../source/core/kicks/index.ts';
import type {PlanCost} from '../../source/core/replay/cost-model.ts';
import {replayRun} from '../../source/core/replay/engine.ts';
import type {Trace} from '../../source/core/replay/trace.ts';
import {getStrategy} from '../../source/core/strategies/index.ts';
import {select} from '../../source/core/strategies/select.ts';

const HOUR = 3_600_000;
/** 1% of the 5-hour window and 0.1% of the week per uncached token: a request of 40 tokens costs 40%. */
const cost: PlanCost = {
	fiveHour: {uncachedInput: 1, cachedInput: 0, output: 0},
	weekly: {uncachedInput: 0.1, cachedInput: 0, output: 0},
	source: 'default',
	fit: {fiveHour: undefined, weekly: undefined},
};

/** Sessions given as lists of [hour, uncached tokens] (a negative size: an abandoned demand). */
function traceOf(sessions: readonly (readonly [number, number])[][]): Trace {
	const all = sessions.flat();
	const trace = {
		from: 0,
		to: Math.max(...all.map(([hour]) => hour)) * HOUR + 10 * HOUR,
		accounts: ['acct'],
		sessionCount: sessions.length,
		sessionStart: new Int32Array(sessions.length),
		sessionEnd: new Int32Array(sessions.length),
		sessionAccount: new Int32Array(sessions.length),
		at: new Float64Array(all.length),
		uncached: new Float64Array(all.length),
		cached: new Float64Array(all.length),
		output: new Float64Array(all.length),
		abandoned: new Uint8Array(all.length),
	};
	let r = 0;
	sessions.forEach((requests, s) => {
		trace.sessionStart[s] = r;
		for (const [hour, tokens] of requests) {
			trace.at[r] = hour * HOUR;
			trace.uncached[r] = Math.max(0, tokens);
			trace.abandoned[r] = tokens < 0 ? 1 : 0;
			r++;
		}

		trace.sessionEnd[s] = r;
	});
	return trace;
}

const pool = (name: string, movement: boolean) => ({
	kind: 'pool' as const,
	choose: (accounts: Parameters<typeof select>[1], context: Parameters<typeof select>[2]) =>
		select(getStrategy(name), accounts, context),
	movement,
	kicks: getKickPolicy('none'),
});

describe('the trace replay engine', () => {
	it('a request on a full window waits for its reset, and the rest of the session moves later by the wait', () => {
		// 40% + 40% + 40% at hours 0, 1, 2: the third request finds 80% used; the fourth one 120% used.
		const trace = traceOf([
			[
				[0, 40],
				[1, 40],
				[2, 40],
				[3, 40],
				[3.5, 40],
			],
		]);
		const pauses: [number, number][] = [];
		const result = replayRun({
			trace,
			accounts: [{plan: 'plus', cost}],
			mode: {kind: 'recorded'},
			observePause: (at, hours) => pauses.push([at / HOUR, hours]),
		});
		// The window started at 0 and resets at 5 h: the request of hour 3 waits 2 h, the next one then
		// comes at 5.5 h (3.5 + 2) and is served.
		assert.deepEqual(pauses, [[3, 2]]);
		assert.equal(result.interruptions, 1);
		assert.equal(result.waitHours, 2);
		assert.equal(result.served, 5);
		assert.equal(result.unserved, 0);
	});

	it('with two accounts and movement the session moves instead of waiting', () => {
		const trace = traceOf([
			[
				[0, 40],
				[1, 40],
				[2, 40],
				[3, 40],
				[3.5, 40],
			],
		]);
		const result = replayRun({
			trace,
			accounts: [
				{plan: 'plus', cost},
				{plan: 'plus', cost},
			],
			mode: pool('round-robin', true),
		});
		assert.equal(result.interruptions, 0);
		assert.equal(result.moves, 1);
		assert.equal(result.served, 5);
	});

	it('an abandoned demand on a full account is an interruption without wait; on a free one it costs nothing', () => {
		const trace = traceOf([
			[
				[0, 40],
				[1, 40],
				[2, 40],
				[3, -1],
			],
		]);
		const one = replayRun({trace, accounts: [{plan: 'plus', cost}], mode: {kind: 'recorded'}});
		assert.equal(one.interruptions, 1);
		assert.equal(one.waitHours, 0);
		const two = replayRun({
			trace,
			accounts: [
				{plan: 'plus', cost},
				{plan: 'plus', cost},
			],
			mode: pool('round-robin', true),
		});
		assert.equal(two.interruptions, 0);
	});

	it('wasted quota counts what is left of each week at its reset', () => {
		// One request of 40 tokens uses 4% of the week; the week resets inside the horizon with 96% unused.
		const trace = traceOf([
			[
				[0, 40],
				[200, 1],
			],
		]);
		const result = replayRun({trace, accounts: [{plan: 'plus', cost}], mode: {kind: 'recorded'}});
		const weeks = (trace.to + 1) / (168 * HOUR);
		assert.ok(Math.abs(result.wastedShare - 96 / (100 * weeks)) < 1e-9);
	});
});
