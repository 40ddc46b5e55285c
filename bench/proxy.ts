/*
Proxy overhead: the simulated upstream streams ~300-event SSE responses; the same requests go directly to it
and through the proxy, at concurrency 1 and 64. The proxy runs in a child process (so its RSS and CPU are its
own), once as shipped (TypeScript through tsx) and once bundled by esbuild and run by plain node.
Prints and writes bench/results/proxy.md.
*/
import {type ChildProcess, fork} from 'node:child_process';
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {cpus, loadavg, tmpdir} from 'node:os';
import {join} from 'node:path';
import {fileURLToPath} from 'node:url';
import {build} from 'esbuild';
import {Agent, request} from 'undici';
import {systemClock} from '../source/core/clock.ts';
import {createPoolProxy} from '../source/core/proxy/index.ts';
import {createRandom} from '../source/core/random.ts';
import type {AccountRecord} from '../source/core/store/types.ts';
import {noMarks} from '../source/core/strategies/types.ts';
import {startSimulatedUpstream} from '../source/core/upstream/index.ts';

type ChildMessage =
	| {type: 'listening'; url: string}
	| {type: 'usage'; peakRss: number; rss: number; cpuMs: number};

const DELTAS = 290;
const CHUNKS = 300;
const SEQUENTIAL = 400;
const CONCURRENT_TOTAL = 2560;

async function serveProxy(): Promise<void> {
	// Child mode: the proxy alone in this process; the parent sends the upstream URL and the accounts.
	const {upstream, records} = await new Promise<{upstream: string; records: AccountRecord[]}>((resolve) =>
		process.once('message', (message) => resolve(message as {upstream: string; records: AccountRecord[]})),
	);
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
	const url = await proxy.server.listen();
	let peak = process.memoryUsage.rss();
	setInterval(() => {
		peak = Math.max(peak, process.memoryUsage.rss());
	}, 100).unref();
	process.on('message', (message) => {
		const {type} = message as {type?: string};
		if (type === 'usage') {
			const rss = process.memoryUsage.rss();
			const cpu = process.cpuUsage();
			process.send?.({
				type: 'usage',
				peakRss: Math.max(peak, rss),
				rss,
				cpuMs: (cpu.user + cpu.system) / 1000,
			} satisfies ChildMessage);
			// The peak is measured per phase.
			peak = rss;
		} else if (type === 'stop') {
			void proxy.close().then(() => process.exit(0));
		}
	});
	process.send?.({type: 'listening', url} satisfies ChildMessage);
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

/** A proxy child and a way to talk to it. */
async function startChild(
	script: string,
	execArgv: string[],
	upstream: string,
	records: AccountRecord[],
): Promise<{url: string; child: ChildProcess; ask: () => Promise<ChildMessage>}> {
	const child = fork(script, ['--serve-proxy'], {
		// e.g. BENCH_PROXY_NODE_FLAGS='--cpu-prof' to profile the proxy alone.
		execArgv: [...execArgv, ...(process.env.BENCH_PROXY_NODE_FLAGS?.split(' ').filter(Boolean) ?? [])],
	});
	const queue: ChildMessage[] = [];
	const waiters: ((message: ChildMessage) => void)[] = [];
	child.on('message', (message) => {
		const waiter = waiters.shift();
		if (waiter) {
			waiter(message as ChildMessage);
		} else {
			queue.push(message as ChildMessage);
		}
	});
	const next = () =>
		new Promise<ChildMessage>((resolve) => {
			const queued = queue.shift();
			if (queued) {
				resolve(queued);
			} else {
				waiters.push(resolve);
			}
		});
	child.send({upstream, records});
	const listening = await next();
	if (listening.type !== 'listening') {
		throw new Error('the proxy child did not start');
	}

	return {
		url: listening.url,
		child,
		ask() {
			child.send({type: 'usage'});
			return next();
		},
	};
}

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
	const seconds = (performance.now() - begin) / 1000;
	const cpu = process.cpuUsage(cpuBefore);
	return {
		streamsPerSecond: total / seconds,
		mbPerSecond: bytes / seconds / 1e6,
		parentCpuMsPerStream: (cpu.user + cpu.system) / 1000 / total,
	};
}

type Result = {
	name: string;
	sequential: {direct: Sample[]; proxy: Sample[]};
	directAt64: Awaited<ReturnType<typeof concurrent>>;
	proxyAt64: Awaited<ReturnType<typeof concurrent>>;
	idleRss: number;
	peakRss: number;
	proxyCpuMsPerStream: number;
};

async function measure(
	name: string,
	child: Awaited<ReturnType<typeof startChild>>,
	direct: Target,
	body: string,
): Promise<Result> {
	const proxied: Target = {
		url: `${child.url}/backend-api/codex/responses`,
		headers: {'content-type': 'application/json'},
	};
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

	const directAt64 = await concurrent(direct, body, CONCURRENT_TOTAL);
	const before = await child.ask();
	const proxyAt64 = await concurrent(proxied, body, CONCURRENT_TOTAL);
	const after = await child.ask();
	child.child.send({type: 'stop'});
	if (before.type !== 'usage' || after.type !== 'usage') {
		throw new Error('unexpected message from the proxy child');
	}

	return {
		name,
		sequential,
		directAt64,
		proxyAt64,
		idleRss: before.rss / 1e6,
		peakRss: after.peakRss / 1e6,
		proxyCpuMsPerStream: (after.cpuMs - before.cpuMs) / CONCURRENT_TOTAL,
	};
}

/** A markdown table padded as Biome's formatter writes it (bench/results is linted). */
function table(rows: readonly (readonly string[])[]): string[] {
	const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => [...(row[column] ?? '')].length)));
	const line = (cells: readonly string[]) =>
		`| ${cells.map((cell, column) => cell + ' '.repeat(widths[column]! - [...cell].length)).join(' | ')} |`;
	return [line(rows[0]!), line(widths.map((width) => '-'.repeat(width))), ...rows.slice(1).map(line)];
}

function report(results: readonly Result[], events: number, bytes: number): string {
	const fmt = (value: number, digits = 2) => value.toFixed(digits);
	const ttfb = (samples: Sample[], p: number) =>
		percentile(
			samples.map((sample) => sample.ttfbMs),
			p,
		);
	const lines = [
		'# Proxy overhead (`npm run bench:proxy`)',
		'',
		`Measured ${new Date().toISOString()} on Node ${process.version}, ${cpus().length} CPUs (${cpus()[0]?.model ?? 'unknown'}),`,
		`load average ${loadavg()
			.map((value) => value.toFixed(1))
			.join(
				' ',
			)} at the end (other work shared the machine: wall-clock figures are noisy, CPU per stream less so).`,
		`Each response: ${events} SSE events, ${bytes} bytes, written in ~${CHUNKS} writes by the simulated upstream on 127.0.0.1.`,
		'The proxy runs in its own process; the load generator and the upstream share the parent process.',
		'',
		...table([
			[
				'proxy runtime',
				'added TTFB p50 (ms)',
				'added TTFB p99 (ms)',
				'throughput at 64, proxied/direct',
				'proxy peak RSS at 64 (MB)',
				'proxy RSS before (MB)',
				'proxy CPU per stream (ms)',
				'client+upstream CPU per stream, direct (ms)',
			],
			...results.map((result) => {
				const added50 = ttfb(result.sequential.proxy, 50) - ttfb(result.sequential.direct, 50);
				const added99 = ttfb(result.sequential.proxy, 99) - ttfb(result.sequential.direct, 99);
				const ratio = result.proxyAt64.streamsPerSecond / result.directAt64.streamsPerSecond;
				return [
					result.name,
					fmt(added50),
					fmt(added99),
					`${fmt(ratio)}× (${fmt(result.proxyAt64.streamsPerSecond, 0)} vs ${fmt(result.directAt64.streamsPerSecond, 0)} streams/s)`,
					fmt(result.peakRss, 0),
					fmt(result.idleRss, 0),
					fmt(result.proxyCpuMsPerStream),
					fmt(result.directAt64.parentCpuMsPerStream),
				];
			}),
		]),
		'',
		'Targets: added p50 ≤ 1 ms and p99 ≤ 5 ms at concurrency 1; throughput ≥ 0.9× direct at 64; RSS ≤ 120 MB.',
		'',
		'Concurrency 1 detail (ms):',
		'',
		...table([
			['proxy runtime', 'direct TTFB p50 / p99', 'proxied TTFB p50 / p99'],
			...results.map((result) => [
				result.name,
				`${fmt(ttfb(result.sequential.direct, 50))} / ${fmt(ttfb(result.sequential.direct, 99))}`,
				`${fmt(ttfb(result.sequential.proxy, 50))} / ${fmt(ttfb(result.sequential.proxy, 99))}`,
			]),
		]),
		'',
	];
	return lines.join('\n');
}

async function run(): Promise<void> {
	const upstream = await startSimulatedUpstream({
		deltaCount: DELTAS,
		streamChunks: CHUNKS,
		logLimit: 10,
		logBodies: false,
		accounts: Array.from({length: 4}, (_, index) => ({name: `acct${index}`, fiveHourLimit: 1e12})),
	});
	const records: AccountRecord[] = upstream.accounts.list().map((account) => ({
		id: account.accountId,
		name: account.name,
		email: account.email,
		plan: account.plan,
		tokens: {
			idToken: account.tokens.idToken,
			accessToken: account.tokens.accessToken,
			refreshToken: account.tokens.refreshToken,
			lastRefresh: undefined,
		},
		marks: noMarks,
		needsLogin: undefined,
		addedAt: 0,
	}));
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
	const events = probe.split('\n\n').filter((block) => block.includes('data:')).length;

	const self = fileURLToPath(import.meta.url);
	const bundleDir = mkdtempSync(join(tmpdir(), 'codexpool-bench-'));
	const bundle = join(bundleDir, 'proxy-bench.mjs');
	await build({
		entryPoints: [self],
		bundle: true,
		platform: 'node',
		format: 'esm',
		target: 'node20',
		outfile: bundle,
		logLevel: 'error',
		banner: {js: "import {createRequire as __cr} from 'node:module'; const require = __cr(import.meta.url);"},
	});

	const results: Result[] = [];
	const shipped = await startChild(self, ['--import', 'tsx'], upstream.backendUrl, records);
	results.push(await measure('tsx (as shipped)', shipped, direct, body));
	const bundled = await startChild(bundle, [], upstream.backendUrl, records);
	results.push(await measure('esbuild bundle, plain node', bundled, direct, body));
	rmSync(bundleDir, {recursive: true, force: true});

	const text = report(results, events, Buffer.byteLength(probe));
	process.stdout.write(`${text}\n`);
	writeFileSync(new URL('results/proxy.md', import.meta.url), text);
	await agent.close();
	await upstream.close();
}

if (process.argv.includes('--serve-proxy')) {
	await serveProxy();
} else {
	await run();
}
