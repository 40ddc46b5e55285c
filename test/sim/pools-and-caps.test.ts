import assert from 'node:assert/strict';
import {test} from 'node:test';
import {getKickPolicy, kickPolicyNames} from '../../source/core/kicks/index.ts';
import {none} from '../../source/core/kicks/none.ts';
import {rotateRestart} from '../../source/core/kicks/rotate-restart.ts';
import {stagger} from '../../source/core/kicks/stagger.ts';
import type {SimParams} from '../../source/core/sim/model.ts';
import {type Chooser, simulateRun} from '../../source/core/sim/run.ts';
import {getStrategy, strategyNames} from '../../source/core/strategies/index.ts';
import {select} from '../../source/core/strategies/select.ts';
import type {AccountView, PickContext} from '../../source/core/strategies/types.ts';
import {isUsable} from '../../source/core/strategies/views.ts';

const HOUR = 3_600_000;

const params = (overrides: Partial<SimParams> = {}): SimParams => ({
	accounts: 7,
	days: 7,
	rho: 1,
	mean: 0.02,
	scenario: 'flat',
	movement: true,
	...overrides,
});

const through =
	(name: string): Chooser =>
	(accounts, context) =>
		select(getStrategy(name), accounts, context);

test('a weekly-only pool: no account ever shows a 5-hour window, and no kick policy kicks (same result as none)', () => {
	for (const seed of [0, 1, 2]) {
		let seenFiveHour = false;
		const watching: Chooser = (accounts, context) => {
			seenFiveHour ||= accounts.some((account) => account.fiveHour !== undefined);
			return through('phase-fit')(accounts, context);
		};
		const base = simulateRun({params: params({pool: 'weekly-only'}), seed, choose: watching, kicks: none});
		for (const kicks of [stagger, rotateRestart]) {
			const kicked = simulateRun({params: params({pool: 'weekly-only'}), seed, choose: watching, kicks});
			assert.deepEqual(kicked, base, `${kicks.name} kicks nothing in a weekly-only pool (seed ${seed})`);
		}

		assert.equal(seenFiveHour, false);
		assert.ok(base.served > 0);
	}
});

test('a weekly-only account is limited by its weekly quota alone: one session runs on past the 5-hour quota', () => {
	// 0.2 at 0.06/h on one account: with a 5-hour window it pauses at 0.12; without one it runs through.
	const run = (pool: 'standard' | 'weekly-only') =>
		simulateRun({
			params: params({accounts: 1, days: 2, pool}),
			seed: 0,
			choose: through('phase-fit'),
			kicks: none,
			sessions: [{at: 0, size: 0.2}],
		});
	assert.equal(run('standard').interruptions, 1);
	assert.equal(run('weekly-only').interruptions, 0);
});

test('a mixed pool: the rotation kicks only the accounts with a 5-hour window, spaced 5 h / their number', () => {
	const kicked: {id: string; at: number}[] = [];
	for (const kicks of [stagger, rotateRestart]) {
		kicked.length = 0;
		const spy = {
			...kicks,
			plan(accounts: readonly AccountView[], now: number, options?: Parameters<typeof kicks.plan>[2]) {
				const planned = kicks.plan(accounts, now, options);
				for (const kick of planned) if (kick.at <= now) kicked.push({id: kick.accountId, at: now});
				return planned;
			},
		};
		simulateRun({
			params: params({pool: 'mixed', days: 1}),
			seed: 0,
			choose: through('phase-fit'),
			kicks: spy,
			sessions: [{at: 23, size: 0.001}],
		});
		const first = kicked.slice(0, 4);
		// a1, a3, a5, a7 have a 5-hour window: four of them, one every 5 h / 4.
		assert.deepEqual(
			first.map((kick) => kick.id),
			['a1', 'a3', 'a5', 'a7'],
			kicks.name,
		);
		assert.deepEqual(
			first.map((kick) => kick.at / HOUR),
			[0, 1.25, 2.5, 3.75],
		);
		assert.ok(kicked.every((kick) => ['a1', 'a3', 'a5', 'a7'].includes(kick.id)));
	}
});

test('a cap: an account stops taking work at its cap, and the rest of the window waits for the reset', () => {
	// One account capped at 50% of both windows; 0.2 of work: it pauses at 0.06 (half the 5-hour quota).
	const pauses: number[] = [];
	const result = simulateRun({
		params: params({accounts: 1, days: 2, movement: false, caps: {fiveHour: 50, weekly: 50}}),
		seed: 0,
		choose: through('phase-fit'),
		kicks: none,
		sessions: [{at: 0, size: 0.2}],
		observePause: (pause) => pauses.push(pause.startedAt),
	});
	assert.ok(result.interruptions >= 1);
	assert.ok(Math.abs(pauses[0]! - 1) < 1e-6, `paused at 1 h (0.06 / 0.06 per hour), got ${pauses[0]}`);
});

test('every strategy and kick policy agrees with the simulator on what a cap allows (standard, weekly-only, mixed)', () => {
	// The engine throws when a move or resume goes to an account it finds unusable: caps must be read alike.
	for (const pool of ['standard', 'weekly-only', 'mixed'] as const) {
		for (const name of strategyNames) {
			for (const policy of kickPolicyNames) {
				let overCap = false;
				const choose: Chooser = (accounts, context: PickContext) => {
					const id = through(name)(accounts, context);
					const chosen = accounts.find((account) => account.id === id);
					if (context.kind !== 'new' && chosen !== undefined && !isUsable(chosen, context.now))
						overCap = true;
					return id;
				};
				const result = simulateRun({
					params: params({
						pool,
						days: 5,
						rho: 1.2,
						caps: {fiveHour: 80, weekly: 60},
						accountCaps: [{weekly: 30}],
					}),
					seed: 3,
					choose,
					kicks: getKickPolicy(policy),
				});
				assert.equal(overCap, false, `${name}/${policy}/${pool}`);
				assert.ok(result.served > 0);
			}
		}
	}
});

test('a cap of 100 changes nothing', () => {
	const plain = simulateRun({params: params(), seed: 4, choose: through('phase-fit'), kicks: rotateRestart});
	const capped = simulateRun({
		params: params({caps: {fiveHour: 100, weekly: 100}}),
		seed: 4,
		choose: through('phase-fit'),
		kicks: rotateRestart,
	});
	assert.deepEqual(capped, plain);
});

test('caps cost wait: at rho 0.8 a 70% cap waits longer than none (same sessions)', () => {
	let plain = 0;
	let capped = 0;
	for (const seed of [0, 1, 2, 3]) {
		plain += simulateRun({
			params: params({rho: 0.8, days: 14}),
			seed,
			choose: through('phase-fit'),
			kicks: rotateRestart,
		}).waitHours;
		capped += simulateRun({
			params: params({rho: 0.8, days: 14, caps: {fiveHour: 70, weekly: 70}}),
			seed,
			choose: through('phase-fit'),
			kicks: rotateRestart,
		}).waitHours;
	}

	assert.ok(capped > plain, `capped ${capped} h vs ${plain} h`);
});
