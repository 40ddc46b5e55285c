/*
Proxy overhead: the simulated upstream streams ~300-event SSE responses; the same requests go directly to it
and through the proxy, at concurrency 1 and 64. The proxy is `codexpool serve` in a child process, started the
way a user starts it: `node bin/codexpool.js serve` (the prebuilt bundle, with the V8 flags the bin sets for
serve). For comparison: the same daemon run from the bundle without the bin's flags; from source through tsx
(the bin's fallback when dist/ is missing or stale); each of those with the proxy on a core of its own; and a
reference, a minimal pass-through proxy, the floor for any Node proxy on the machine. On request
(BENCH_PROXY_ROWS): the proxy alone (createPoolProxy and the Codex routes on the HTTP server: no admin API, store, token manager or core). The child's
RSS and CPU are read from /proc (Linux): its peak RSS per phase is VmHWM, reset through /proc/PID/clear_refs
before the phase.
Prints and writes bench/results/proxy.md.
Then the WebSocket rows (issue 18): `npm run bench:ws` (bench/websocket.ts) runs as the second part of the same
run, printing and writing bench/results/websocket.md: a tool loop's upstream bytes and added time to first event,
64 sessions against a minimal WebSocket relay measured beside them, memory per open session.
BENCH_PROXY_PARTS=http or =websocket runs one part only (default both).
*/
import {type ChildProcess, execFileSync, fork, spawn, spawnSync} from 'node:child_process';
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import {createServer} from 'node:http';
import type {AddressInfo} from 'node:net';
import {cpus, loadavg, tmpdir} from 'node:os';
import {join} from 'node:path';
import {fileURLToPath, pathToFileURL} from 'node:url';
import v8 from 'node:v8';
import {build} from 'esbuild';
import {Agent, request} from 'undici';
import {buildBundle} from '../bin/build.js';
import {bundleIsFresh} from '../bin/clone.js';
import {SERVE_V8_FLAGS} from '../bin/runtime.js';
import {systemClock} from '../source/core/clock.ts';
import {importSimulatedAccounts} from '../source/core/demo/seed-home.ts';
import {createAccessPolicy} from '../source/core/http/access.ts';
import {createHttpServer} from '../source/core/http/server.ts';
import {createCodexRoutes} from '../source/core/proxy/codex-routes.ts';
import {createPoolProxy} from '../source/core/proxy/index.ts';
import {createRandom} from '../source/core/random.ts';
import {startSimulatedUpstream} from '../source/core/simulated-backend/index.ts';
import {parseSseText} from '../source/core/sse/parse.ts';
import {openStore} from '../source/core/store/store.ts';
import type {AccountRecord} from '../source/core/store/types.ts';
import {recordFor} from '../test/proxy/harness.ts';
import {tempDir} from '../test/store/fixtures.ts';

const DELTAS = 290;
const CHUNKS = Number(process.env.BENCH_PROXY_CHUNKS ?? 300);
// BENCH_PROXY_SEQUENTIAL=0 skips the concurrency-1 runs (memory experiments).
// 1000 pairs: the p99 is then the tenth worst, not one of a handful of outliers.
const SEQUENTIAL = Number(process.env.BENCH_PROXY_SEQUENTIAL ?? 1000);
const CONCURRENT_TOTAL = Number(process.env.BENCH_PROXY_CONCURRENT ?? 2560);
const ROUNDS = 4;
// Every row is measured REPEATS times, the rows taking turns, and the report gives medians (and the range):
// on a shared 2-core machine one run's timings can be off by a third either way.
const REPEATS = Number(process.env.BENCH_PROXY_REPEATS ?? 5);
const root = new URL('..', import.meta.url);
const bin = fileURLToPath(new URL('bin/codexpool.js', root));
const bundle = fileURLToPath(new URL('dist/codexpool.js', root));

/**
How each row starts the proxy: `codexpool serve` (node arguments before `serve ...`, extra environment), or the
proxy alone. `ownCore`: the load generator and the upstream (this process) run on core 0 and the proxy on core
1 (Linux, taskset), as when the proxy has a core to itself, instead of all three sharing both cores. On a user's
machine the upstream is far away and only the client shares the CPU with the proxy; here the upstream's work
lands on the same two cores. `onRequest`: measured only when BENCH_PROXY_ROWS names it.
*/
type Runtime = {name: string; ownCore?: boolean; onRequest?: boolean} & (
	| {args: string[]; env: Record<string, string>}
	| {alone: 'pool' | 'minimal'; v8Flags?: string}
);
/** BENCH_PROXY_PIN=1 gives every row the proxy its own core. */
const pinAll = process.env.BENCH_PROXY_PIN === '1';
const ownsCore = (runtime: Runtime | undefined) => pinAll || runtime?.ownCore === true;
/** Node flags for the proxy's process, e.g. BENCH_PROXY_NODE_FLAGS='--cpu-prof' to profile it. */
const proxyNodeFlags = process.env.BENCH_PROXY_NODE_FLAGS?.split(' ').filter(Boolean) ?? [];

/** Pins every thread of a process to the given cores. */
function pin(pid: number, cores: string): void {
	execFileSync('taskset', ['-a', '-p', '-c', cores, String(pid)], {stdio: 'ignore'});
}

/** Whether rows can pin: Linux with taskset and at least two cores. */
function canPin(): boolean {
	try {
		execFileSync('taskset', ['-p', String(process.pid)], {stdio: 'ignore'});
		return cpus().length >= 2;
	} catch {
		return false;
	}
}

// BENCH_PROXY_COMPARE=DIR,DIR,... measures bundles built elsewhere (`node bin/build.js --outdir DIR`) instead, each
// started as the bin starts serve (its V8 flags set at run time; `DIR@FLAGS` sets others; NODE_ENV): an A/B
// comparison of changes in one run. `DIR#MB@FLAGS` also caps the young generation at MB per semi-space at run
// time (young-generation-cap.js). Nothing is written.
const compare = process.env.BENCH_PROXY_COMPARE?.split(',').filter(Boolean);
/** For BENCH_PROXY_COMPARE: the bin's start-up, running the bundle named by CODEXPOOL_BENCH_BUNDLE. */
const compareLauncher = `
import v8 from 'node:v8';
process.env.NODE_ENV ??= 'production';
v8.setFlagsFromString(process.env.CODEXPOOL_BENCH_FLAGS);
if (process.env.CODEXPOOL_BENCH_YOUNG_CAP) {
	const {capYoungGeneration} = await import(process.env.CODEXPOOL_BENCH_YOUNG_CAP_MODULE);
	capYoungGeneration(Number(process.env.CODEXPOOL_BENCH_YOUNG_CAP));
}
await import(process.env.CODEXPOOL_BENCH_BUNDLE);
`;
const runtimes: Runtime[] =
	compare === undefined
		? [
				{name: 'as shipped: `node bin/codexpool.js serve` (bundle + flags)', args: [bin], env: {}},
				{
					name: 'as shipped, the proxy on a core of its own',
					args: [bin],
					env: {},
					ownCore: true,
				},
				{name: '`node dist/codexpool.js serve` (bundle, no flags)', args: [bundle], env: {}},
				{
					name: 'bundle, no flags, the proxy on a core of its own',
					args: [bundle],
					env: {},
					ownCore: true,
				},
				{name: 'bin, sources through tsx (+ flags)', args: [bin], env: {CODEXPOOL_FROM_SOURCE: '1'}},
				{name: 'proxy alone, bundled (+ flags)', alone: 'pool', v8Flags: SERVE_V8_FLAGS, onRequest: true},
				{
					name: 'reference: a minimal pass-through proxy (node:http in, undici out, piped), bundled, no flags',
					alone: 'minimal',
				},
				{name: 'reference, on a core of its own', alone: 'minimal', ownCore: true},
				{
					name: 'reference with the flags the bin sets for serve',
					alone: 'minimal',
					v8Flags: SERVE_V8_FLAGS,
				},
				{
					name: 'reference with the flags, on a core of its own',
					alone: 'minimal',
					v8Flags: SERVE_V8_FLAGS,
					ownCore: true,
				},
			]
		: compare.map((entry) => {
				const [dirAndCap = '', flags = SERVE_V8_FLAGS] = entry.split('@');
				const [dir = '', youngCap = ''] = dirAndCap.split('#');
				return {
					name: entry,
					args: ['--input-type=module', '--eval', compareLauncher, '--', 'codexpool'],
					env: {
						CODEXPOOL_BENCH_BUNDLE: pathToFileURL(join(dir, 'codexpool.js')).href,
						CODEXPOOL_BENCH_FLAGS: flags,
						CODEXPOOL_BENCH_YOUNG_CAP: youngCap,
						CODEXPOOL_BENCH_YOUNG_CAP_MODULE: new URL('young-generation-cap.js', import.meta.url).href,
					},
				};
			});

type AloneSetup = {upstream: string; records: AccountRecord[]; directHeaders: Record<string, string>};

/** Child mode: the setup the parent sends once the child is up. */
function receiveSetup(): Promise<AloneSetup> {
	return new Promise((resolve) => process.once('message', (message) => resolve(message as AloneSetup)));
}

/** Child mode: the proxy alone in this (bundled) process; the parent sends the upstream URL and the accounts. */
async function serveProxyAlone(): Promise<void> {
	const {upstream, records} = await receiveSetup();
	const tokens = new Map(records.map((record) => [record.id, record.tokens.accessToken]));
	const proxy = createPoolProxy({
		clock: systemClock,
		random: createRandom(1),
		records,
		tokens: {
			getAccessToken: async (id) => tokens.get(id) ?? '',
			refreshAfter401: async (id) => tokens.get(id) ?? '',
		},
		strategy: () => 'round-robin',
		upstream,
	});
	// The product's server, access policy and Codex routes, without the store, admin API or scheduler.
	const inFlight = proxy.inFlight;
	const server = createHttpServer({
		routes: createCodexRoutes({engine: proxy.engine, pool: proxy.pool, clock: systemClock, inFlight}),
		access: createAccessPolicy({
			bindHost: '127.0.0.1',
			keys: {verify: () => undefined},
			settings: () => ({requireKey: false, allowedOrigins: []}),
		}),
		inFlight,
	});
	const url = await server.listen();
	process.on('message', () => void Promise.all([server.close(), proxy.close()]).then(() => process.exit(0)));
	process.send?.({url});
}

/** The child's memory and CPU from /proc: RSS now, peak since the last reset, CPU so far. */
function procUsage(pid: number): {rss: number; peakRss: number; cpuMs: number; systemMs: number} {
	const status = readFileSync(`/proc/${pid}/status`, 'utf8');
	const kb = (field: string) =>
		Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN) * 1024;
	// utime and stime, fields 14 and 15 of /proc/PID/stat (after the parenthesised command name), in ticks of 10 ms.
	const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
	return {
		rss: kb('VmRSS'),
		peakRss: kb('VmHWM'),
		cpuMs: (Number(fields[11]) + Number(fields[12])) * 10,
		systemMs: Number(fields[12]) * 10,
	};
}

/** Starts a peak-RSS phase: VmHWM falls back to the current RSS. */
function resetPeak(pid: number): void {
	writeFileSync(`/proc/${pid}/clear_refs`, '5');
}

type Sample = {ttfbMs: number; totalMs: number; bytes: number};
type Target = {url: string; headers: Record<string, string>};

const agent = new Agent({connections: 256, keepAliveTimeout: 30_000});

async function stream(target: Target, body: string): Promise<Sample> {
	const started = performance.now();
	const response = await request(target.url, {
		method: 'POST',
		headers: target.headers,
		body,
		dispatcher: agent,
	});
	let ttfbMs = 0;
	let bytes = 0;
	for await (const chunk of response.body) {
		if (bytes === 0) {
			ttfbMs = performance.now() - started;
		}

		bytes += (chunk as Buffer).length;
	}

	if (response.statusCode !== 200) {
		throw new Error(`status ${response.statusCode} from ${target.url}`);
	}

	return {ttfbMs, totalMs: performance.now() - started, bytes};
}

function percentile(values: readonly number[], p: number): number {
	const sorted = [...values].sort((a, b) => a - b);
	return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

/**
Child mode, the reference row: the least a Node proxy can do, for comparison on the same machine. Each request's
body is read and sent upstream with the first account's credentials through an undici keep-alive pool, and the
answer is piped back: no account choice, no token handling, no SSE reading, nothing recorded.
*/
async function serveMinimalProxy(): Promise<void> {
	const {upstream, directHeaders} = await receiveSetup();
	const dispatcher = new Agent({connections: 256, keepAliveTimeout: 30_000});
	const server = createServer(async (incoming, outgoing) => {
		const chunks: Buffer[] = [];
		for await (const chunk of incoming) {
			chunks.push(chunk as Buffer);
		}

		const answer = await request(`${upstream}/codex/responses`, {
			method: 'POST',
			headers: directHeaders,
			body: Buffer.concat(chunks),
			dispatcher,
		});
		outgoing.writeHead(answer.statusCode, {'content-type': String(answer.headers['content-type'])});
		answer.body.pipe(outgoing);
	});
	server.keepAliveTimeout = 30_000;
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	process.on('message', () => server.close(() => process.exit(0)));
	process.send?.({url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`});
}

/** `codexpool serve` on a home whose accounts are the simulated upstream's, until it says where it listens. */
async function startDaemon(
	runtime: Runtime,
	home: string,
	env: Record<string, string>,
	alone: AloneSetup & {script: string},
): Promise<{url: string; child: ChildProcess; startRss: number}> {
	if ('alone' in runtime) {
		const child = fork(alone.script, [runtime.alone === 'pool' ? '--serve-proxy' : '--serve-minimal'], {
			execArgv: proxyNodeFlags,
			// Set at run time, as the bin sets them: on the command line V8 raises a semi-space growth factor below 2 to 2.
			env: {...process.env, CODEXPOOL_BENCH_V8_FLAGS: runtime.v8Flags ?? ''},
		});
		const url = await new Promise<string>((resolve) => {
			child.once('message', (message) => resolve((message as {url: string}).url));
			const {upstream, records, directHeaders} = alone;
			child.send({upstream, records, directHeaders} satisfies AloneSetup);
		});
		await new Promise((resolve) => setTimeout(resolve, 1000));
		return {url, child, startRss: procUsage(child.pid!).rss};
	}

	const child = spawn(
		process.execPath,
		[...proxyNodeFlags, ...runtime.args, 'serve', '--port', '0', '--no-tls', '--home', home],
		{env: {...process.env, ...env, ...runtime.env}, stdio: ['ignore', 'pipe', 'pipe']},
	);
	let output = '';
	const url = await new Promise<string>((resolve, reject) => {
		const take = (chunk: Buffer) => {
			output += chunk.toString('utf8');
			const match = /serves .* at (http:\/\/\S+)/.exec(output);
			if (match) {
				resolve(match[1]!);
			}
		};
		child.stdout.on('data', take);
		child.stderr.on('data', take);
		child.once('exit', (code) => reject(new Error(`codexpool serve exited (${code}):\n${output}`)));
	});
	// Settled after start (usage polls, first snapshot).
	await new Promise((resolve) => setTimeout(resolve, 1000));
	return {url, child, startRss: procUsage(child.pid!).rss};
}

/** One phase at concurrency 64: `total` streams, its wall time and the parent's CPU. */
async function concurrent(target: Target, body: string, total: number) {
	let started = 0;
	let bytes = 0;
	const begin = performance.now();
	const cpuBefore = process.cpuUsage();
	await Promise.all(
		Array.from({length: 64}, async () => {
			while (started < total) {
				started++;
				const sample = await stream(target, body);
				bytes += sample.bytes;
			}
		}),
	);
	const cpu = process.cpuUsage(cpuBefore);
	return {
		streams: total,
		seconds: (performance.now() - begin) / 1000,
		bytes,
		parentCpuMs: (cpu.user + cpu.system) / 1000,
	};
}

/** The phases of one kind added up. */
function rates(phases: readonly Awaited<ReturnType<typeof concurrent>>[]) {
	const sum = (pick: (phase: (typeof phases)[number]) => number) =>
		phases.reduce((total, phase) => total + pick(phase), 0);
	const streams = sum((phase) => phase.streams);
	const seconds = sum((phase) => phase.seconds);
	return {
		streamsPerSecond: streams / seconds,
		mbPerSecond: sum((phase) => phase.bytes) / seconds / 1e6,
		parentCpuMsPerStream: sum((phase) => phase.parentCpuMs) / streams,
	};
}

type Result = {
	name: string;
	sequential: {direct: Sample[]; proxy: Sample[]};
	directAt64: ReturnType<typeof rates>;
	proxyAt64: ReturnType<typeof rates>;
	startRss: number;
	idleRss: number;
	peakRss: number;
	proxyCpuMsPerStream: number;
	proxySystemMsPerStream: number;
};

async function measure(
	runtime: Runtime,
	home: string,
	env: Record<string, string>,
	alone: Parameters<typeof startDaemon>[3],
	direct: Target,
	body: string,
) {
	const daemon = await startDaemon(runtime, home, env, alone);
	const pid = daemon.child.pid!;
	const ownCore = ownsCore(runtime);
	if (ownCore) {
		pin(process.pid, '0');
		pin(pid, '1');
	}

	const proxied: Target = {
		url: `${daemon.url}/backend-api/codex/responses`,
		headers: {'content-type': 'application/json'},
	};
	try {
		// Warm-up: connections, JIT.
		for (let index = 0; index < 100; index++) {
			await stream(direct, body);
			await stream(proxied, body);
		}

		// Concurrency 1, interleaved so both see the same machine state.
		const sequential = {direct: [] as Sample[], proxy: [] as Sample[]};
		for (let index = 0; index < SEQUENTIAL; index++) {
			sequential.direct.push(await stream(direct, body));
			sequential.proxy.push(await stream(proxied, body));
		}

		// Concurrency 64: direct and proxied phases alternate, so a change in the machine's load between them
		// (other work shares it) weighs on both alike. The proxy idles during the direct phases.
		const before = procUsage(pid);
		resetPeak(pid);
		const directPhases: Awaited<ReturnType<typeof concurrent>>[] = [];
		const proxyPhases: typeof directPhases = [];
		let proxyCpuMs = 0;
		let proxySystemMs = 0;
		for (let round = 0; round < ROUNDS; round++) {
			directPhases.push(await concurrent(direct, body, CONCURRENT_TOTAL / ROUNDS));
			const cpuBefore = procUsage(pid);
			proxyPhases.push(await concurrent(proxied, body, CONCURRENT_TOTAL / ROUNDS));
			const cpuAfter = procUsage(pid);
			proxyCpuMs += cpuAfter.cpuMs - cpuBefore.cpuMs;
			proxySystemMs += cpuAfter.systemMs - cpuBefore.systemMs;
		}

		const after = procUsage(pid);
		return {
			name: runtime.name,
			sequential,
			directAt64: rates(directPhases),
			proxyAt64: rates(proxyPhases),
			startRss: daemon.startRss / 1e6,
			idleRss: before.rss / 1e6,
			peakRss: after.peakRss / 1e6,
			proxyCpuMsPerStream: proxyCpuMs / CONCURRENT_TOTAL,
			proxySystemMsPerStream: proxySystemMs / CONCURRENT_TOTAL,
		} satisfies Result;
	} finally {
		if (ownCore) {
			pin(process.pid, `0-${cpus().length - 1}`);
		}

		const exited = new Promise((resolve) => daemon.child.once('exit', resolve));
		if ('alone' in runtime) {
			daemon.child.send('stop');
		} else {
			daemon.child.kill('SIGTERM');
		}

		await exited;
	}
}

/** A markdown table padded as Biome's formatter writes it (bench/results is linted). */
function table(rows: readonly (readonly string[])[]): string[] {
	const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => [...(row[column] ?? '')].length)));
	const line = (cells: readonly string[]) =>
		`| ${cells.map((cell, column) => cell + ' '.repeat(widths[column]! - [...cell].length)).join(' | ')} |`;
	return [line(rows[0]!), line(widths.map((width) => '-'.repeat(width))), ...rows.slice(1).map(line)];
}

function median(values: readonly number[]): number {
	const sorted = [...values].sort((a, b) => a - b);
	const middle = Math.floor(sorted.length / 2);
	return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

function report(groups: readonly (readonly Result[])[], events: number, bytes: number): string {
	const fmt = (value: number, digits = 2) => value.toFixed(digits);
	const ttfb = (samples: Sample[], p: number) =>
		percentile(
			samples.map((sample) => sample.ttfbMs),
			p,
		);
	/** The median over a row's runs, with the range when there are several. */
	const spread = (group: readonly Result[], of: (result: Result) => number, digits = 2) => {
		const values = group.map(of);
		return values.length === 1
			? fmt(values[0]!, digits)
			: `${fmt(median(values), digits)} (${fmt(Math.min(...values), digits)}–${fmt(Math.max(...values), digits)})`;
	};
	const added = (p: number) => (result: Result) =>
		ttfb(result.sequential.proxy, p) - ttfb(result.sequential.direct, p);
	const ratio = (result: Result) => result.proxyAt64.streamsPerSecond / result.directAt64.streamsPerSecond;
	const lines = [
		'# Proxy overhead (`npm run bench:proxy`)',
		'',
		`Measured ${new Date().toISOString()} on Node ${process.version}, ${cpus().length} CPUs (${cpus()[0]?.model ?? 'unknown'}),`,
		`load average ${loadavg()
			.map((value) => value.toFixed(1))
			.join(
				' ',
			)} at the end (the benchmark keeps both cores busy; on this VM wall-clock figures swing from run to run, CPU per stream less).`,
		`Each response: ${events} SSE events, ${bytes} bytes, written in ~${CHUNKS} writes by the simulated upstream on 127.0.0.1.`,
		`At concurrency 64, ${CONCURRENT_TOTAL} streams each way, in ${ROUNDS} alternating direct and proxied phases.`,
		`Each row was measured ${groups[0]?.length ?? 0} times, the rows taking turns; figures are medians, with the range in parentheses.`,
		'The proxy is `codexpool serve` (proxy, admin API, usage polling; scheduler off) in its own process; the load',
		'generator and the upstream share the parent process. "RSS after start": 1 s after it listens; "before": after',
		'the warm-up and the concurrency-1 runs, just before the 64-stream phases, over which the peak (VmHWM) is taken.',
		'Rows "on a core of its own": the parent (load generator and upstream) is pinned to core 0 and the proxy to',
		"core 1 (taskset). On a user's machine the upstream is far away and only the client shares the CPU with the",
		'proxy; in the other rows the three compete for two cores, so they measure that contention as much as the proxy.',
		'',
		...table([
			[
				'proxy runtime',
				'added TTFB p50 (ms)',
				'added TTFB p99 (ms)',
				'throughput at 64, proxied/direct',
				'proxy peak RSS at 64 (MB)',
				'proxy RSS before (MB)',
				'proxy RSS after start (MB)',
				'proxy CPU per stream, of it in the kernel (ms)',
				'client+upstream CPU per stream, direct (ms)',
				'proxy CPU / client+upstream CPU',
			],
			...groups.map((group) => [
				group[0]!.name,
				spread(group, added(50)),
				spread(group, added(99)),
				`${spread(group, ratio)}× (${fmt(median(group.map((result) => result.proxyAt64.streamsPerSecond)), 0)} vs ${fmt(median(group.map((result) => result.directAt64.streamsPerSecond)), 0)} streams/s)`,
				spread(group, (result) => result.peakRss, 0),
				fmt(median(group.map((result) => result.idleRss)), 0),
				fmt(median(group.map((result) => result.startRss)), 0),
				`${fmt(median(group.map((result) => result.proxyCpuMsPerStream)))}, ${fmt(median(group.map((result) => result.proxySystemMsPerStream)))}`,
				fmt(median(group.map((result) => result.directAt64.parentCpuMsPerStream))),
				spread(group, (result) => result.proxyCpuMsPerStream / result.directAt64.parentCpuMsPerStream),
			]),
		]),
		'',
		'Targets: added p50 ≤ 1 ms and p99 ≤ 5 ms at concurrency 1; throughput ≥ 0.9× direct at 64; RSS ≤ 120 MB.',
		'',
		`"Flags": the V8 flags bin/codexpool.js sets for \`serve\` (bin/runtime.js): \`${SERVE_V8_FLAGS}\`. They keep`,
		'the young generation at 2 × 1 MB (V8 grows it to 2 × 16 MB under this load) and collect the old generation,',
		'where stream state and queued chunks are promoted, before it is 30% over its live size. The price is CPU:',
		'more, smaller collections (compare the CPU per stream of the rows with and without them). The reference rows are the floor',
		'for any Node proxy on this machine: about twenty lines that read the request, send it upstream through an',
		'undici keep-alive pool and pipe the answer back, with nothing chosen, read or recorded on the way. Its rows',
		'with the flags show what the same memory trade costs a proxy that keeps next to nothing per stream.',
		'',
		'Concurrency 1 detail (ms):',
		'',
		...table([
			['proxy runtime', 'direct TTFB p50 / p99', 'proxied TTFB p50 / p99'],
			...groups.map((group) => [
				group[0]!.name,
				`${fmt(median(group.map((result) => ttfb(result.sequential.direct, 50))))} / ${fmt(median(group.map((result) => ttfb(result.sequential.direct, 99))))}`,
				`${fmt(median(group.map((result) => ttfb(result.sequential.proxy, 50))))} / ${fmt(median(group.map((result) => ttfb(result.sequential.proxy, 99))))}`,
			]),
		]),
		'',
		"The WebSocket rows (Codex's Responses WebSocket mode) come next in the same run: websocket.md.",
		'',
	];
	return lines.join('\n');
}

const PARTS = new Set((process.env.BENCH_PROXY_PARTS ?? 'http,websocket').split(','));

/** The WebSocket rows: bench/websocket.ts in a process of its own (its children measure against each other). */
function runWebSocketPart(): void {
	const script = fileURLToPath(new URL('websocket.ts', import.meta.url));
	const answer = spawnSync(process.execPath, ['--import', 'tsx', script], {stdio: 'inherit'});
	if (answer.status !== 0) {
		throw new Error(`bench:proxy: the WebSocket part (bench/websocket.ts) failed (${answer.status})`);
	}
}

async function run(): Promise<void> {
	if (PARTS.has('http')) {
		await runHttpPart();
	}

	if (PARTS.has('websocket')) {
		runWebSocketPart();
	}
}

async function runHttpPart(): Promise<void> {
	const upstream = await startSimulatedUpstream({
		deltaCount: DELTAS,
		streamChunks: CHUNKS,
		logLimit: 10,
		logBodies: false,
		accounts: Array.from({length: 4}, (_, index) => ({name: `acct${index}`, fiveHourLimit: 1e12})),
	});
	const home = tempDir('codexpool-bench-proxy-');
	const store = openStore(home);
	importSimulatedAccounts(store, upstream, Date.now());
	// Kicks would add requests of their own.
	store.setSettings({scheduler: {...store.getSettings().scheduler, enabled: false}});
	const env = {CODEXPOOL_UPSTREAM: upstream.backendUrl, CODEXPOOL_AUTH_ISSUER: upstream.issuerUrl};
	const first = upstream.accounts.list()[0]!;
	const direct: Target = {
		url: `${upstream.backendUrl}/codex/responses`,
		headers: {
			'content-type': 'application/json',
			authorization: `Bearer ${first.tokens.accessToken}`,
			'chatgpt-account-id': first.accountId,
		},
	};
	const body = JSON.stringify({
		model: 'gpt-5.5',
		stream: true,
		store: false,
		include: ['reasoning.encrypted_content'],
		input: [{type: 'message', role: 'user', content: [{type: 'input_text', text: 'benchmark turn'}]}],
	});
	const probe = await (
		await request(direct.url, {method: 'POST', headers: direct.headers, body, dispatcher: agent})
	).body.text();
	const events = parseSseText(probe).length;

	// What `npm install` leaves: the bin runs the bundle only while it is fresh.
	if (!bundleIsFresh(root)) {
		await buildBundle();
	}

	const records = upstream.accounts.list().map((account) => recordFor(upstream, account.name));
	const bundleDir = mkdtempSync(join(tmpdir(), 'codexpool-bench-'));
	const script = join(bundleDir, 'proxy-bench.mjs');
	await build({
		entryPoints: [fileURLToPath(import.meta.url)],
		bundle: true,
		platform: 'node',
		format: 'esm',
		target: 'node20',
		outfile: script,
		logLevel: 'error',
		banner: {js: "import {createRequire as __cr} from 'node:module'; const require = __cr(import.meta.url);"},
	});
	const alone = {script, upstream: upstream.backendUrl, records, directHeaders: direct.headers};

	// e.g. BENCH_PROXY_ROWS=0 for the shipped row alone.
	const pinning = canPin();
	const rows = (
		process.env.BENCH_PROXY_ROWS?.split(',').map(Number) ??
		runtimes.flatMap((runtime, index) => (runtime.onRequest === true ? [] : [index]))
	).filter((index) => pinning || !ownsCore(runtimes[index]));
	if (!pinning) {
		process.stderr.write(
			'bench:proxy: no taskset or a single core: the rows with the proxy on its own core are left out.\n',
		);
	}

	const results: Result[][] = rows.map(() => []);
	for (let repeat = 0; repeat < REPEATS; repeat++) {
		for (const [position, index] of rows.entries()) {
			results[position]!.push(await measure(runtimes[index]!, home, env, alone, direct, body));
		}
	}

	rmSync(bundleDir, {recursive: true, force: true});

	const text = report(results, events, Buffer.byteLength(probe));
	process.stdout.write(`${text}\n`);
	if (process.env.BENCH_PROXY_ROWS === undefined && compare === undefined) {
		writeFileSync(new URL('results/proxy.md', import.meta.url), text);
	}

	await agent.close();
	await upstream.close();
	rmSync(home, {recursive: true, force: true});
}

if (process.argv.includes('--serve-proxy') || process.argv.includes('--serve-minimal')) {
	// The row's V8 flags (CODEXPOOL_BENCH_V8_FLAGS), set at run time as the bin sets them; for the proxy alone,
	// BENCH_PROXY_ALONE_FLAGS='' (or other flags) overrides them for experiments.
	const override = process.argv.includes('--serve-proxy') ? process.env.BENCH_PROXY_ALONE_FLAGS : undefined;
	v8.setFlagsFromString(override ?? process.env.CODEXPOOL_BENCH_V8_FLAGS ?? '');
	await (process.argv.includes('--serve-proxy') ? serveProxyAlone() : serveMinimalProxy());
} else {
	await run();
}
