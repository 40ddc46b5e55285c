import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {describe, it} from 'node:test';
import {command} from '../../source/commands/replay.ts';
import {analyse} from '../../source/core/replay/analysis.ts';
import {collect} from '../../source/core/replay/collect.ts';
import {runCommand} from '../commands/run.ts';
import {tempDir} from '../store/fixtures.ts';

/** Copies of shared/samples/rollouts: real Codex 0.169 and 0.171 files against the mock upstream. */
const samplesHere = path.join(import.meta.dirname, '..', 'fixtures', 'rollouts');

/** A Codex home holding the real sample rollouts under their Codex names (sessions/YYYY/MM/DD/rollout-…). */
export function sampleHome(): string {
	const home = tempDir('codexpool-replay-samples-');
	const folder = path.join(home, 'sessions', '2026', '12', '06');
	fs.mkdirSync(folder, {recursive: true});
	for (const name of fs.readdirSync(samplesHere).filter((file) => file.endsWith('.jsonl'))) {
		const text = fs.readFileSync(path.join(samplesHere, name), 'utf8');
		const id = (JSON.parse(text.split('\n')[0]!) as {payload: {id: string}}).payload.id;
		fs.writeFileSync(path.join(folder, `rollout-2026-12-06T19-00-00-${id}.jsonl`), text);
	}

	return home;
}

const options = {
	accounts: [1, 2],
	plans: ['plus'],
	strategies: ['round-robin'],
	recommendStrategy: 'round-robin',
	movement: true,
	scheduler: 'none',
};

describe('replay on the real sample rollouts (Codex 0.169 and 0.171)', () => {
	it('counts one request per token_usage_record, compaction included, and no 429 or synthetic estimate', async () => {
		const collected = await collect({codexHomes: [sampleHome()], poolHistory: undefined, since: 0});
		const {history} = analyse(collected, options);
		// tool calls: 3 requests; 3 turns with resumes: 3; compaction: 2 turns, one of 2 requests + the
		// compaction request = 3; the free plan: 2 requests, then a 429 that leaves no usage.
		assert.equal(history.requests, 11);
		assert.equal(history.sessions, 4);
		assert.equal(history.files, 4);
		assert.equal(history.malformedLines, 0);
		assert.equal(history.unknownLines, 0);
		// Sums of every token_usage_record.usage in the four files (jq over the samples).
		assert.deepEqual(history.tokens, {
			input: 73_700,
			cachedInput: 46_493,
			output: 331,
			reasoningOutput: 88,
			total: 74_031,
		});
		assert.deepEqual(
			history.accounts.map((account) => [account.id.slice(0, 8), account.requests]),
			[
				['11111111', 6],
				['22222222', 3],
				['33333333', 2],
			],
		);
		// The free sample's last turn ends in usage_limit_exceeded and no turn follows it: a hit without wait.
		assert.equal(history.recordedLimitHits, 1);
		assert.equal(history.recordedWaitHours, 0);
	});

	it('finds windows by length: the weekly-only plan reports its week in the primary slot', async () => {
		const collected = await collect({codexHomes: [sampleHome()], poolHistory: undefined, since: 0});
		const free = collected.readings.toArray().filter((reading) => reading.account.startsWith('33333333'));
		assert.ok(free.length >= 2);
		for (const reading of free) {
			assert.equal(reading.fiveHour, undefined);
			assert.equal(typeof reading.weekly, 'number');
		}

		const {planOf, costModel} = analyse(collected, options);
		assert.equal(planOf(free[0]!.account), 'free');
		// The mock charges total tokens against a 120,000-token 5-hour window (shared/codex-rollouts.md §5):
		// 100 / 120,000 % per token, whatever the kind.
		const plus = costModel.costOf('plus');
		assert.equal(plus.source, 'readings');
		assert.ok(Math.abs(plus.fiveHour!.uncachedInput - 100 / 120_000) / (100 / 120_000) < 0.01);
		assert.ok(Math.abs(plus.fiveHour!.cachedInput - 100 / 120_000) / (100 / 120_000) < 0.01);
	});

	it('prints the history and the --json shape of the issue', async () => {
		const home = sampleHome();
		const poolHome = tempDir('codexpool-replay-home-');
		const json = await runCommand(command, [
			'--codex-home',
			home,
			'--home',
			poolHome,
			'--since',
			'2026-12-01',
			'--accounts',
			'1..2',
			'--json',
		]);
		assert.equal(json.code, 0, json.stderr);
		const report = JSON.parse(json.stdout) as Record<string, Record<string, unknown>>;
		assert.deepEqual(Object.keys(report), ['history', 'costModel', 'selfCheck', 'whatIf', 'recommendation']);
		assert.deepEqual(Object.keys(report.history!), [
			'from',
			'to',
			'sessions',
			'requests',
			'tokens',
			'accounts',
			'recordedLimitHits',
			'recordedWaitHours',
			'malformedLines',
		]);
		assert.deepEqual(Object.keys(report.history!.tokens as object), [
			'input',
			'cachedInput',
			'output',
			'reasoningOutput',
			'total',
		]);
		assert.deepEqual(Object.keys(report.costModel!), ['fiveHour', 'weekly', 'fit']);
		assert.deepEqual(Object.keys(report.costModel!.weekly as object), [
			'uncachedInput',
			'cachedInput',
			'output',
		]);
		assert.deepEqual(Object.keys(report.selfCheck!), [
			'replayedLimitHits',
			'replayedWaitHours',
			'withinTolerance',
		]);
		const whatIf = report.whatIf as unknown as Record<string, unknown>[];
		assert.equal(whatIf.length, 2 * 4);
		assert.deepEqual(Object.keys(whatIf[0]!), [
			'accounts',
			'plans',
			'strategy',
			'movement',
			'scheduler',
			'interruptions',
			'waitHours',
			'p95PauseHours',
			'wastedShare',
		]);
		const text = await runCommand(command, [
			'--codex-home',
			home,
			'--home',
			poolHome,
			'--since',
			'2026-12-01',
			'--accounts',
			'1..2',
		]);
		assert.equal(text.code, 0, text.stderr);
		assert.match(text.stdout, /4 sessions, 11 requests/);
		assert.match(text.stdout, /Recommendation: /);
	});
});
