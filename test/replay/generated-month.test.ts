import assert from 'node:assert/strict';
import {before, describe, it} from 'node:test';
import {command} from '../../source/commands/replay.ts';
import {type Analysis, analyse} from '../../source/core/replay/analysis.ts';
import {collect} from '../../source/core/replay/collect.ts';
import {runCommand} from '../commands/run.ts';
import {type GroundTruth, generateHistory, TRUE_COST} from '../helpers/rollout-generator.ts';
import {tempDir} from '../store/fixtures.ts';

const MARKER = 'PRIVATE-CONVERSATION-7f3a91';
const start = Date.UTC(2026, 10, 1);
let codexHome: string;
let truth: GroundTruth;
let analysis: Analysis;

before(async () => {
	codexHome = tempDir('codexpool-replay-month-');
	truth = generateHistory({home: codexHome, start, days: 30, sessionsPerDay: 3, marker: MARKER});
	const collected = await collect({codexHomes: [codexHome], poolHistory: undefined, since: start});
	analysis = analyse(collected, {
		accounts: [1, 2, 3],
		plans: ['plus'],
		strategies: ['ours', 'capacity-weighted', 'round-robin', 'sequential'],
		recommendStrategy: 'ours',
		movement: true,
		scheduler: 'ours',
	});
});

describe('replay of a generated month with known ground truth', () => {
	it('finds the totals of the history exactly', () => {
		const {history} = analysis;
		assert.ok(truth.limitHits > 5, `the month should hit limits (it hit ${truth.limitHits})`);
		assert.equal(history.sessions, truth.sessions);
		assert.equal(history.requests, truth.requests);
		assert.deepEqual(history.tokens, {...truth.tokens, total: truth.tokens.input + truth.tokens.output});
		assert.equal(history.recordedLimitHits, truth.limitHits);
		assert.ok(
			Math.abs(history.recordedWaitHours - truth.waitHours) < 1e-9,
			`waited ${history.recordedWaitHours} h, truth ${truth.waitHours} h`,
		);
		assert.equal(history.malformedLines, 0);
		assert.deepEqual(
			history.accounts.map((account) => [account.plan, account.requests]),
			[['plus', truth.requests]],
		);
	});

	it('fits the cost of every token kind in both windows within 10%', () => {
		const cost = analysis.costModel.costOf('plus');
		assert.equal(cost.source, 'readings');
		for (const window of ['fiveHour', 'weekly'] as const) {
			for (const kind of ['uncachedInput', 'cachedInput', 'output'] as const) {
				const fitted = cost[window]![kind];
				const real = TRUE_COST[window][kind];
				assert.ok(Math.abs(fitted - real) / real < 0.1, `${window} ${kind}: fitted ${fitted}, true ${real}`);
			}

			assert.ok(cost.fit[window]!.r2 > 0.99);
		}
	});

	it('reproduces the recorded limit hits and waiting when it replays the recorded setup', () => {
		const {selfCheck, history} = analysis;
		assert.equal(selfCheck.replayedLimitHits, history.recordedLimitHits);
		// The user came back a minute after each reset; the replay resumes at the reset.
		assert.ok(
			Math.abs(selfCheck.replayedWaitHours - history.recordedWaitHours) <= history.recordedLimitHits * 0.05,
		);
		assert.equal(selfCheck.withinTolerance, true);
	});

	it('recommends the smallest pool without interruptions, and a second account takes most of the waiting away', () => {
		const ours = (accounts: number) =>
			analysis.whatIf.find((row) => row.strategy === 'ours' && row.accounts === accounts)!;
		assert.ok(ours(1).interruptions > 0);
		assert.ok(ours(2).waitHours < ours(1).waitHours);
		assert.equal(analysis.recommended?.interruptions, 0);
		assert.equal(analysis.whatIf.length, 3 * 4);
	});

	it('never prints anything of the conversations', async () => {
		const home = tempDir('codexpool-replay-home-');
		for (const json of [false, true]) {
			const result = await runCommand(command, [
				'--codex-home',
				codexHome,
				'--home',
				home,
				'--since',
				'2026-11-01',
				'--accounts',
				'1..2',
				...(json ? ['--json'] : []),
			]);
			assert.equal(result.code, 0, result.stderr);
			assert.ok(!result.stdout.includes(MARKER) && !result.stderr.includes(MARKER));
			assert.match(result.stdout, json ? /"recommendation"/ : /Recommendation:/);
		}
	});
});
