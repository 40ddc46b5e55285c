/*
`npm run bench:replay`: how fast `codexpool replay` reads Codex history, and how long its what-ifs take.
1. Generates BENCH_REPLAY_MB (default 2048) MB of synthetic rollouts in a temp folder (test/helpers/
   rollout-generator.ts: 0.171 line shapes, most bytes in conversation items, as in real files).
2. Parses them in a child process (so its peak RSS is the parse's alone) and prints MB/s and peak RSS.
3. Replays the last 30 days of that history with 1..6 accounts × 4 strategies (our default, codex-lb's
   default, round-robin, drain-first), movement on, our kicks, and prints how long that took.
4. Deletes the folder.
*/
import {spawnSync} from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import process from 'node:process';
import {fileURLToPath} from 'node:url';
import {DEFAULT_KICK_POLICY} from '../source/core/kicks/index.ts';
import {analyse} from '../source/core/replay/analysis.ts';
import {collect} from '../source/core/replay/collect.ts';
import {DEFAULT_STRATEGY} from '../source/core/strategies/index.ts';
import {generateHistory, TRUE_COST} from '../test/helpers/rollout-generator.ts';

const DAY = 86_400_000;
const third = (cost: {uncachedInput: number; cachedInput: number; output: number}) => ({
	uncachedInput: cost.uncachedInput / 3,
	cachedInput: cost.cachedInput / 3,
	output: cost.output / 3,
});

async function parseChild(folder: string): Promise<void> {
	const started = performance.now();
	const cpuAtStart = process.cpuUsage();
	const collected = await collect({codexHomes: [folder], poolHistory: undefined, since: 0});
	const seconds = (performance.now() - started) / 1000;
	const cpu = process.cpuUsage(cpuAtStart);
	const maxRssMb = process.resourceUsage().maxRSS / 1024;
	let last = 0;
	for (let r = 0; r < collected.requests.length; r++) last = Math.max(last, collected.requests.at[r]!);
	// The what-ifs run on the last 30 days, read again as `replay --days 30` would.
	const recent = await collect({codexHomes: [folder], poolHistory: undefined, since: last - 30 * DAY});
	const replayStart = performance.now();
	const replayCpu = process.cpuUsage();
	const analysis = analyse(recent, {
		accounts: [1, 2, 3, 4, 5, 6],
		plans: ['plus'],
		strategies: [DEFAULT_STRATEGY, 'capacity-weighted', 'round-robin', 'sequential'],
		recommendStrategy: DEFAULT_STRATEGY,
		movement: true,
		scheduler: DEFAULT_KICK_POLICY,
	});
	const replaySeconds = (performance.now() - replayStart) / 1000;
	const replayCpuUsed = process.cpuUsage(replayCpu);
	process.stdout.write(
		`${JSON.stringify({
			bytes: collected.bytes,
			files: collected.files,
			requests: collected.requests.length,
			seconds,
			cpuSeconds: (cpu.user + cpu.system) / 1e6,
			maxRssMb,
			replay: {
				requests: analysis.history.requests,
				sessions: analysis.history.sessions,
				runs: analysis.whatIf.length + 1,
				seconds: replaySeconds,
				cpuSeconds: (replayCpuUsed.user + replayCpuUsed.system) / 1e6,
			},
		})}\n`,
	);
}

async function main(): Promise<void> {
	if (process.argv[2] === '--parse') {
		await parseChild(process.argv[3]!);
		return;
	}

	const targetMb = Number(process.env.BENCH_REPLAY_MB ?? 2048);
	const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'codexpool-bench-replay-'));
	try {
		const generated = performance.now();
		let bytes = 0;
		let files = 0;
		// A heavy user: 12 sessions a day, conversation items of about 1.5 kB (tool output, reasoning, messages).
		for (let chunk = 0; bytes < targetMb * 1e6; chunk++) {
			const truth = generateHistory({
				home: folder,
				start: Date.UTC(2025, 0, 1) + chunk * 30 * DAY,
				days: 30,
				seed: chunk + 1,
				sessionsPerDay: 12,
				padding: 1500,
				// A third of the tests' cost: heavy, but not blocked for weeks on its one account.
				cost: {fiveHour: third(TRUE_COST.fiveHour), weekly: third(TRUE_COST.weekly)},
			});
			bytes += truth.bytes;
			files += truth.files;
		}

		process.stdout.write(
			`generated ${(bytes / 1e6).toFixed(0)} MB in ${files} rollouts in ${((performance.now() - generated) / 1000).toFixed(0)} s\n`,
		);
		const child = spawnSync(
			process.execPath,
			['--import', 'tsx', fileURLToPath(import.meta.url), '--parse', folder],
			{encoding: 'utf8', maxBuffer: 1 << 20},
		);
		if (child.status !== 0) throw new Error(`the parse failed:\n${child.stderr}`);
		const result = JSON.parse(child.stdout) as {
			bytes: number;
			files: number;
			requests: number;
			seconds: number;
			cpuSeconds: number;
			maxRssMb: number;
			replay: {requests: number; sessions: number; runs: number; seconds: number; cpuSeconds: number};
		};
		const mb = result.bytes / 1e6;
		process.stdout.write(
			[
				`parse: ${mb.toFixed(0)} MB, ${result.files} files, ${result.requests} requests in ${result.seconds.toFixed(1)} s = ${(mb / result.seconds).toFixed(0)} MB/s wall; ${result.cpuSeconds.toFixed(1)} s of CPU = ${(mb / result.cpuSeconds).toFixed(0)} MB/s of CPU; peak RSS ${result.maxRssMb.toFixed(0)} MB (one thread; ${os.availableParallelism()} cores, load average ${os.loadavg()[0]!.toFixed(1)})`,
				`replay of the last 30 days (${result.replay.requests} requests, ${result.replay.sessions} sessions): ${result.replay.runs} runs (self-check + 6 pool sizes × 4 strategies) in ${result.replay.seconds.toFixed(2)} s (${result.replay.cpuSeconds.toFixed(2)} s of CPU)`,
				'',
			].join('\n'),
		);
	} finally {
		fs.rmSync(folder, {recursive: true, force: true});
	}
}

await main();
