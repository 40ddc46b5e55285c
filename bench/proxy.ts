/*
Proxy overhead: the simulated upstream streams ~300-event SSE responses; the same requests go directly to it
and through the proxy (run in a child process, so its RSS is its own), at concurrency 1 and 64.
Prints and writes bench/results/proxy.md: added time to first byte (p50/p99), stream throughput through the
proxy as a ratio of direct, and the proxy's peak RSS during the 64-stream run.
*/
import {fork} from 'node:child_process';
import {writeFileSync} from 'node:fs';
import {cpus, loadavg} from 'node:os';
import {Agent, request} from 'undici';
import {systemClock} from '../source/core/clock.ts';
import {createPoolProxy} from '../source/core/proxy/index.ts';
import {createRandom} from '../source/core/random.ts';
import type {AccountRecord} from '../source/core/store/types.ts';
import {noMarks} from '../source/core/strategies/types.ts';
import {startSimulatedUpstream} from '../source/core/upstream/index.ts';

type ProxyChildMessage =
	| {type: 'listening'; url: string}
	| {type: 'rss'; peak: number; current: number; cpuMs: number};

const DELTAS = 290;
const CHUNKS = 300;

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
	}, 200).unref();
	process.on('message', (message) => {
		if ((message as {type?: string}).type === 'rss') {
			const current = process.memoryUsage.rss();
			peak = Math.max(peak, current);
			const cpu = process.cpuUsage();
			process.send?.({
				type: 'rss',
				peak,
				current,
				cpuMs: (cpu.user + cpu.system) / 1000,
			} satisfies ProxyChildMessage);
			// Peak is measured per phase.
			peak = current;
		}

		if ((message as {type?: string}).type === 'stop') {
			void proxy.close().then(() => process.exit(0));
		}
	});
	process.send?.({type: 'listening', url} satisfies ProxyChildMessage);
}

type Sample = {ttfbMs: number; totalMs: number; bytes: number};

const agent = new Agent({connections: 256, keepAliveTimeout: 30_000});

async function stream(url: string, headers: Record<string, string>, body: string): Promise<Sample> {
	const started = performance.now();
	const response = await request(url, {method: 'POST', headers, body, dispatcher: agent});
	let ttfbMs = 0;
	let bytes = 0;
	for await (const chunk of response.body) {
		if (bytes === 0) {
			ttfbMs = performance.now() - started;
		}

		bytes += (chunk as Buffer).length;
	}

	if (response.statusCode !== 200) {
		throw new Error(`status ${response.statusCode} from ${url}`);
	}

	return {ttfbMs, totalMs: performance.now() - started, bytes};
}

function percentile(values: readonly number[], p: number): number {
	const sorted = [...values].sort((a, b) => a - b);
	return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
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

	const child = fork(new URL(import.meta.url).pathname, ['--serve-proxy'], {
		execArgv: [
			'--import',
			'tsx',
			// e.g. BENCH_PROXY_NODE_FLAGS='--cpu-prof' to profile the proxy alone.
			...(process.env.BENCH_PROXY_NODE_FLAGS?.split(' ').filter(Boolean) ?? []),
		],
	});
	const messages: ProxyChildMessage[] = [];
	const waiters: ((message: ProxyChildMessage) => void)[] = [];
	child.on('message', (message) => {
		const waiter = waiters.shift();
		if (waiter) {
			waiter(message as ProxyChildMessage);
		} else {
			messages.push(message as ProxyChildMessage);
		}
	});
	const next = () =>
		new Promise<ProxyChildMessage>((resolve) => {
			const queued = messages.shift();
			if (queued) {
				resolve(queued);
			} else {
				waiters.push(resolve);
			}
		});
	child.send({upstream: upstream.backendUrl, records});
	const listening = await next();
	if (listening.type !== 'listening') {
		throw new Error('the proxy child did not start');
	}

	const first = upstream.accounts.list()[0]!;
	const body = JSON.stringify({
		model: 'gpt-5.5',
		stream: true,
		store: false,
		include: ['reasoning.encrypted_content'],
		input: [{type: 'message', role: 'user', content: [{type: 'input_text', text: 'benchmark turn'}]}],
	});
	const direct = {
		url: `${upstream.backendUrl}/codex/responses`,
		headers: {
			'content-type': 'application/json',
			authorization: `Bearer ${first.tokens.accessToken}`,
			'chatgpt-account-id': first.accountId,
		},
	};
	const proxied = {
		url: `${listening.url}/backend-api/codex/responses`,
		headers: {'content-type': 'application/json'},
	};

	const probe = await stream(direct.url, direct.headers, body);
	const events = (
		await (
			await request(direct.url, {method: 'POST', headers: direct.headers, body, dispatcher: agent})
		).body.text()
	)
		.split('\n\n')
		.filter((block) => block.includes('data:')).length;

	// Warm-up: connections, JIT.
	for (let index = 0; index < 100; index++) {
		await stream(direct.url, direct.headers, body);
		await stream(proxied.url, proxied.headers, body);
	}

	// Concurrency 1, interleaved so both see the same machine state.
	const sequential = {direct: [] as Sample[], proxy: [] as Sample[]};
	for (let index = 0; index < 500; index++) {
		sequential.direct.push(await stream(direct.url, direct.headers, body));
		sequential.proxy.push(await stream(proxied.url, proxied.headers, body));
	}

	const concurrent = async (target: {url: string; headers: Record<string, string>}, total: number) => {
		let started = 0;
		let bytes = 0;
		const begin = performance.now();
		const cpuBefore = process.cpuUsage();
		await Promise.all(
			Array.from({length: 64}, async () => {
				while (started < total) {
					started++;
					const sample = await stream(target.url, target.headers, body);
					bytes += sample.bytes;
				}
			}),
		);
		const seconds = (performance.now() - begin) / 1000;
		const cpu = process.cpuUsage(cpuBefore);
		return {
			parentCpuMsPerStream: (cpu.user + cpu.system) / 1000 / total,
			streamsPerSecond: total / seconds,
			mbPerSecond: bytes / seconds / 1e6,
			parentCpu: (cpu.user + cpu.system) / 1e6 / seconds,
		};
	};

	child.send({type: 'rss'});
	const idle = await next();
	const total = 3200;
	const directAt64 = await concurrent(direct, total);
	const proxyAt64 = await concurrent(proxied, total);
	child.send({type: 'rss'});
	const rss = await next();
	child.send({type: 'stop'});

	const ttfb = (samples: Sample[], p: number) =>
		percentile(
			samples.map((sample) => sample.ttfbMs),
			p,
		);
	const added50 = ttfb(sequential.proxy, 50) - ttfb(sequential.direct, 50);
	const added99 = ttfb(sequential.proxy, 99) - ttfb(sequential.direct, 99);
	const ratio = proxyAt64.streamsPerSecond / directAt64.streamsPerSecond;
	const peakMb = rss.type === 'rss' ? rss.peak / 1e6 : Number.NaN;
	const idleMb = idle.type === 'rss' ? idle.current / 1e6 : Number.NaN;
	const proxyCpuMsPerStream =
		rss.type === 'rss' && idle.type === 'rss' ? (rss.cpuMs - idle.cpuMs) / total : Number.NaN;
	const fmt = (value: number, digits = 2) => value.toFixed(digits);

	const lines = [
		'# Proxy overhead (`npm run bench:proxy`)',
		'',
		`Measured ${new Date().toISOString()} on Node ${process.version}, ${cpus().length} CPUs (${cpus()[0]?.model ?? 'unknown'}), load average ${loadavg()
			.map((value) => value.toFixed(1))
			.join(' ')} at the end (other work shares the machine).`,
		`Each response: ${events} SSE events, ${probe.bytes} bytes, streamed in ~${CHUNKS} writes by the simulated upstream`,
		'(same machine, 127.0.0.1). The proxy runs in its own process (RSS is its own); client and upstream share this one.',
		'',
		'## Concurrency 1 (500 interleaved requests each, after 100 warm-up)',
		'',
		'| | TTFB p50 (ms) | TTFB p99 (ms) | total p50 (ms) |',
		'|---|---|---|---|',
		`| direct | ${fmt(ttfb(sequential.direct, 50))} | ${fmt(ttfb(sequential.direct, 99))} | ${fmt(
			percentile(
				sequential.direct.map((s) => s.totalMs),
				50,
			),
		)} |`,
		`| through the proxy | ${fmt(ttfb(sequential.proxy, 50))} | ${fmt(ttfb(sequential.proxy, 99))} | ${fmt(
			percentile(
				sequential.proxy.map((s) => s.totalMs),
				50,
			),
		)} |`,
		`| **added by the proxy** | **${fmt(added50)}** (target ≤ 1) | **${fmt(added99)}** (target ≤ 5) | |`,
		'',
		`## Concurrency 64 (${total} streams each)`,
		'',
		'| | streams/s | MB/s |',
		'|---|---|---|',
		`| direct | ${fmt(directAt64.streamsPerSecond, 0)} | ${fmt(directAt64.mbPerSecond)} |`,
		`| through the proxy | ${fmt(proxyAt64.streamsPerSecond, 0)} | ${fmt(proxyAt64.mbPerSecond)} |`,
		`| **ratio** | **${fmt(ratio)}×** (target ≥ 0.9) | |`,
		'',
		`CPU time per stream at 64 (independent of other load): the proxy process ${fmt(proxyCpuMsPerStream)} ms;`,
		`the client+upstream process ${fmt(directAt64.parentCpuMsPerStream)} ms direct, ${fmt(proxyAt64.parentCpuMsPerStream)} ms proxied`,
		`(cores busy: ${fmt(directAt64.parentCpu)} direct, ${fmt(proxyAt64.parentCpu)} proxied).`,
		'',
		`Proxy RSS: ${fmt(idleMb, 0)} MB before the 64-stream runs, **peak ${fmt(peakMb, 0)} MB** during them (target ≤ 120).`,
		'',
	];
	const report = lines.join('\n');
	process.stdout.write(`${report}\n`);
	writeFileSync(new URL('results/proxy.md', import.meta.url), report);
	await agent.close();
	await upstream.close();
}

if (process.argv.includes('--serve-proxy')) {
	await serveProxy();
} else {
	await run();
}
