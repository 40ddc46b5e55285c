/*
The pool's WebSocket path (`npm run bench:ws`): Codex-like tool loops and concurrent sessions over the Responses
WebSocket mode, direct to the simulated upstream and through the pool, and a minimal WebSocket relay measured in
the same run as the floor for any Node relay on this machine.
- A 40-request tool loop whose conversation grows to about 200 KB (a warm-up, then one new item per request, as
  Codex sends them): upstream bytes per request, direct and through the pool; the same loop over HTTP (the whole
  conversation each time) for comparison; the added time to first event, p50 and p99.
- 64 concurrent sessions of short chained turns (~300 events per response): responses per second through the
  pool (with the bin's V8 flags for serve, and without) against the relay.
- Memory per open session: the child's RSS and heap after two full GCs, before and with N sessions open.
The simulated upstream and the load generator run in this process; the pool and the relay each in a child
(bench/ws/child.ts), so what is measured has an event loop of its own. Prints and writes bench/results/websocket.md.
*/
import {type ChildProcess, fork} from 'node:child_process';
import {once} from 'node:events';
import {writeFileSync} from 'node:fs';
import {cpus, loadavg} from 'node:os';
import {setTimeout as delay} from 'node:timers/promises';
import {fileURLToPath} from 'node:url';
import {SERVE_V8_FLAGS} from '../bin/runtime.js';
import {type SimulatedUpstream, startSimulatedUpstream} from '../source/core/simulated-backend/index.ts';
import {recordFor} from '../test/proxy/harness.ts';
import type {ChildMemory, ChildSetup, ChildWork} from './ws/child.ts';
import type {HoldTimes} from './ws/hold-times.ts';
import {type Measured, report} from './ws/report.ts';
import {
	concurrentSessions,
	httpToolLoop,
	LOOP_REQUESTS,
	openHeldSessions,
	type Target,
	webSocketToolLoops,
} from './ws/workloads.ts';

const LOOPS = Number(process.env.BENCH_WS_LOOPS ?? 12);
const SESSIONS = 64;
const CONCURRENT_REQUESTS = Number(process.env.BENCH_WS_CONCURRENT_REQUESTS ?? 10);
const ROUNDS = Number(process.env.BENCH_WS_ROUNDS ?? 5);
const IDLE_SESSIONS = Number(process.env.BENCH_WS_IDLE_SESSIONS ?? 256);
const HEAVY_SESSIONS = Number(process.env.BENCH_WS_HEAVY_SESSIONS ?? 32);
const DELTAS = 290;
/** BENCH_WS_PHASES=loop,throughput,memory (default all three) picks the phases of a run. */
const PHASES = new Set((process.env.BENCH_WS_PHASES ?? 'loop,throughput,memory').split(','));

type Child = {process: ChildProcess; target: Target};

async function startChild(
	upstream: SimulatedUpstream,
	mode: ChildSetup['mode'],
	v8Flags: string,
	name: string,
	youngCapMb?: number,
) {
	const child = fork(fileURLToPath(new URL('ws/child.ts', import.meta.url)), [], {
		// BENCH_WS_CPU_PROF=DIR: each child writes a CPU profile there when it stops (`node --cpu-prof`).
		execArgv: [
			'--import',
			'tsx',
			'--expose-gc',
			...(process.env.BENCH_WS_CPU_PROF
				? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_WS_CPU_PROF}`]
				: []),
		],
		stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
	});
	const records = upstream.accounts.list().map((account) => recordFor(upstream, account.name));
	child.send({mode, upstream: upstream.backendUrl, records, v8Flags, youngCapMb} satisfies ChildSetup);
	const [{url}] = (await once(child, 'message')) as [{url: string}];
	const target: Target = {
		name,
		url: `${url}/backend-api/codex/responses`,
		headers: (sessionId) => ({'session-id': sessionId}),
	};
	return {process: child, target} satisfies Child;
}

async function childWork(child: Child): Promise<ChildWork> {
	child.process.send({gc: true});
	const [work] = (await once(child.process, 'message')) as [ChildWork];
	return work;
}

async function childMemory(child: Child): Promise<ChildMemory> {
	child.process.send({memory: true});
	const [memory] = (await once(child.process, 'message')) as [ChildMemory];
	return memory;
}

/** Upstream bytes of the requests that arrived since `since` (WebSocket frames and POST bodies). */
function upstreamBytesSince(upstream: SimulatedUpstream, connectionsBefore: number, logSeqBefore: number) {
	const frames = upstream.websockets
		.connections()
		.slice(connectionsBefore)
		.flatMap((connection) => connection.requests.filter((request) => request.generate))
		.map((request) => request.bytes);
	const posts = upstream.log
		.filter((entry) => entry.seq > logSeqBefore && entry.method === 'POST')
		.map((entry) => entry.bodyBytes ?? 0);
	return [...frames, ...posts];
}

async function measuredLoop<T>(
	upstream: SimulatedUpstream,
	run: () => Promise<T>,
): Promise<{result: T; bytes: number[]}> {
	const connections = upstream.websockets.connections().length;
	const seq = upstream.log.at(-1)?.seq ?? 0;
	const result = await run();
	return {result, bytes: upstreamBytesSince(upstream, connections, seq)};
}

async function holdTimes(child: Child): Promise<HoldTimes> {
	child.process.send({holds: true});
	const [holds] = (await once(child.process, 'message')) as [HoldTimes];
	return holds;
}

async function loopPhase(
	upstream: SimulatedUpstream,
	direct: Target,
	[poolChild, relayChild]: readonly [Child, Child],
	measured: Measured,
) {
	const [pool, relay] = [poolChild.target, relayChild.target];
	// Once unmeasured (JIT, connections).
	await webSocketToolLoops([direct, pool, relay], 0);
	for (const child of [poolChild, relayChild]) {
		child.process.send({trace: true});
	}

	for (let loop = 0; loop < LOOPS; loop++) {
		const connections = upstream.websockets.connections().length;
		const [viaDirect = [], viaPool = [], viaRelay = []] = await webSocketToolLoops(
			[direct, pool, relay],
			loop,
		);
		measured.loopFirstEvent.direct.push(...viaDirect.map((answer) => answer.firstEventMs));
		measured.loopFirstEvent.pool.push(...viaPool.map((answer) => answer.firstEventMs));
		measured.loopFirstEvent.relay.push(...viaRelay.map((answer) => answer.firstEventMs));
		if (loop === 0) {
			// Each upstream socket is known by the responses it served.
			const opened = upstream.websockets.connections().slice(connections);
			const bytes = (answers: readonly {responseId: string | undefined}[]) =>
				opened
					.find((socket) => socket.requests.some((request) => request.responseId === answers[0]?.responseId))
					?.requests.filter((request) => request.generate)
					.map((request) => request.bytes) ?? [];
			measured.loopBytes.direct = bytes(viaDirect);
			measured.loopBytes.pool = bytes(viaPool);
		}
	}

	for (const child of [poolChild, relayChild]) {
		child.process.send({trace: false});
	}

	measured.holds = {pool: await holdTimes(poolChild), relay: await holdTimes(relayChild)};
	const httpDirect = await measuredLoop(upstream, () => httpToolLoop(direct, 0));
	const httpPool = await measuredLoop(upstream, () => httpToolLoop(pool, 0));
	measured.loopBytes.httpDirect = httpDirect.bytes;
	measured.loopBytes.httpPool = httpPool.bytes;
	measured.httpFirstByte = {direct: httpDirect.result, pool: httpPool.result};
}

/**
The rows take turns, ROUNDS times, after one short unmeasured round each; a child's CPU and collections are
summed over its measured rounds.
*/
async function throughputPhase(
	upstream: SimulatedUpstream,
	rows: readonly (Target | Child)[],
	measured: Measured,
) {
	upstream.settings.deltaCount = DELTAS;
	const targetOf = (row: Target | Child) => ('target' in row ? row.target : row);
	for (const row of rows) {
		await concurrentSessions(targetOf(row), SESSIONS, 2);
	}

	for (let round = 0; round < ROUNDS; round++) {
		for (const row of rows) {
			const target = targetOf(row);
			const before = 'target' in row ? await childWork(row) : undefined;
			const perSecond = await concurrentSessions(target, SESSIONS, CONCURRENT_REQUESTS);
			measured.throughput[target.name] = [...(measured.throughput[target.name] ?? []), perSecond];
			if (before !== undefined && 'target' in row) {
				const after = await childWork(row);
				const sum = measured.work[target.name] ?? {cpuMs: 0, minor: 0, minorMs: 0, major: 0, majorMs: 0};
				measured.work[target.name] = {
					cpuMs: sum.cpuMs + after.cpuMs - before.cpuMs,
					minor: sum.minor + after.minor - before.minor,
					minorMs: sum.minorMs + after.minorMs - before.minorMs,
					major: sum.major + after.major - before.major,
					majorMs: sum.majorMs + after.majorMs - before.majorMs,
				};
			}
		}
	}

	upstream.settings.deltaCount = undefined;
}

/** Each measurement starts from a settled child: closed sessions of the previous one are gone (2 s). */
async function memoryPhase(children: readonly Child[], measured: Measured) {
	for (const child of children) {
		for (const [count, bytes] of [
			[IDLE_SESSIONS, 0],
			[HEAVY_SESSIONS, 200_000],
		] as const) {
			await delay(2000);
			const before = await childMemory(child);
			const held = await openHeldSessions(child.target, count, bytes);
			const open = await childMemory(child);
			await held.close();
			measured.memory.push({
				name: child.target.name,
				sessions: count,
				conversationBytes: bytes,
				before,
				open,
			});
		}
	}
}

async function run(): Promise<void> {
	const upstream = await startSimulatedUpstream({
		accounts: Array.from({length: 4}, (_, index) => ({name: `acct${index}`, fiveHourLimit: 1e12})),
		requestCost: () => 1,
		logBodies: false,
		logLimit: 5000,
	});
	const accounts = upstream.accounts.list();
	const direct: Target = {
		name: 'direct',
		url: `${upstream.backendUrl}/codex/responses`,
		headers: (_sessionId, index) => {
			const account = accounts[index % accounts.length]!;
			return {authorization: `Bearer ${account.tokens.accessToken}`, 'chatgpt-account-id': account.accountId};
		},
	};
	const pool = await startChild(upstream, 'pool', SERVE_V8_FLAGS, 'pool (+ serve flags)');
	const poolNoFlags = await startChild(upstream, 'pool', '', 'pool, no flags');
	const relay = await startChild(upstream, 'relay', '', 'minimal relay');
	// BENCH_WS_EXTRA='NAME=FLAGS[@MB];…' adds pool rows to the throughput phase (FLAGS comma-separated; @MB caps
	// the young generation at MB per semi-space): experiments with the flags, nothing written.
	const extra: Child[] = [];
	for (const spec of (process.env.BENCH_WS_EXTRA ?? '').split(';').filter(Boolean)) {
		const name = spec.slice(0, spec.indexOf('='));
		const [flags = '', cap] = spec.slice(spec.indexOf('=') + 1).split('@');
		extra.push(
			await startChild(upstream, 'pool', flags.replaceAll(',', ' '), name, cap ? Number(cap) : undefined),
		);
	}

	const measured: Measured = {
		loopFirstEvent: {direct: [], pool: [], relay: []},
		loopBytes: {direct: [], pool: [], httpDirect: [], httpPool: []},
		httpFirstByte: {direct: [], pool: []},
		holds: {pool: {up: [], down: []}, relay: {up: [], down: []}},
		throughput: {},
		work: {},
		memory: [],
	};

	if (PHASES.has('loop')) {
		await loopPhase(upstream, direct, [pool, relay], measured);
	}

	if (PHASES.has('throughput')) {
		await throughputPhase(upstream, [relay, pool, poolNoFlags, ...extra, direct], measured);
	}

	if (PHASES.has('memory')) {
		await memoryPhase([pool, relay], measured);
	}

	const text = report(measured, {
		loops: LOOPS,
		loopRequests: LOOP_REQUESTS,
		sessions: SESSIONS,
		concurrentRequests: CONCURRENT_REQUESTS,
		rounds: ROUNDS,
		deltas: DELTAS,
		machine: `Node ${process.version}, ${cpus().length} CPUs (${cpus()[0]?.model ?? 'unknown'}), load average ${loadavg()
			.map((value) => value.toFixed(1))
			.join(' ')}`,
	});
	process.stdout.write(`${text}\n`);
	if (PHASES.size === 3 && extra.length === 0) {
		writeFileSync(new URL('results/websocket.md', import.meta.url), text);
	}
	for (const child of [pool, poolNoFlags, relay, ...extra]) {
		child.process.send({stop: true});
		await once(child.process, 'exit');
	}

	await upstream.close();
}

await run();
