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
import type {ChildMemory, ChildSetup} from './ws/child.ts';
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
const ROUNDS = Number(process.env.BENCH_WS_ROUNDS ?? 3);
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
	child.send({mode, upstream: upstream.backendUrl, records, v8Flags} satisfies ChildSetup);
	const [{url}] = (await once(child, 'message')) as [{url: string}];
	const target: Target = {
		name,
		url: `${url}/backend-api/codex/responses`,
		headers: (sessionId) => ({'session-id': sessionId}),
	};
	return {process: child, target} satisfies Child;
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

async function loopPhase(
	upstream: SimulatedUpstream,
	[direct, pool, relay]: readonly [Target, Target, Target],
	measured: Measured,
) {
	// Once unmeasured (JIT, connections).
	await webSocketToolLoops([direct, pool, relay], 0);
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

	const httpDirect = await measuredLoop(upstream, () => httpToolLoop(direct, 0));
	const httpPool = await measuredLoop(upstream, () => httpToolLoop(pool, 0));
	measured.loopBytes.httpDirect = httpDirect.bytes;
	measured.loopBytes.httpPool = httpPool.bytes;
	measured.httpFirstByte = {direct: httpDirect.result, pool: httpPool.result};
}

/** The rows take turns, ROUNDS times, after one short unmeasured round each. */
async function throughputPhase(upstream: SimulatedUpstream, rows: readonly Target[], measured: Measured) {
	upstream.settings.deltaCount = DELTAS;
	for (const target of rows) {
		await concurrentSessions(target, SESSIONS, 2);
	}

	for (let round = 0; round < ROUNDS; round++) {
		for (const target of rows) {
			const perSecond = await concurrentSessions(target, SESSIONS, CONCURRENT_REQUESTS);
			measured.throughput[target.name] = [...(measured.throughput[target.name] ?? []), perSecond];
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

	const measured: Measured = {
		loopFirstEvent: {direct: [], pool: [], relay: []},
		loopBytes: {direct: [], pool: [], httpDirect: [], httpPool: []},
		httpFirstByte: {direct: [], pool: []},
		throughput: {},
		memory: [],
	};

	if (PHASES.has('loop')) {
		await loopPhase(upstream, [direct, pool.target, relay.target], measured);
	}

	if (PHASES.has('throughput')) {
		await throughputPhase(upstream, [relay.target, pool.target, poolNoFlags.target, direct], measured);
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
	if (PHASES.size === 3) {
		writeFileSync(new URL('results/websocket.md', import.meta.url), text);
	}
	for (const child of [pool, poolNoFlags, relay]) {
		child.process.send({stop: true});
		await once(child.process, 'exit');
	}

	await upstream.close();
}

await run();
