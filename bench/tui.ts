/*
The control center's cost: the time to render one full frame with 20 accounts, and the CPU an idle TUI
uses while its core publishes a new snapshot every 100 ms (as an attached daemon does under load).
Prints both and writes bench/results/tui.md. Run: npm run bench:tui
*/
import {writeFileSync} from 'node:fs';
import os from 'node:os';
import type {CoreSnapshot} from '../source/core/contract.ts';

// React picks its development or production build when first loaded: choose before importing it. The CLI
// should run production React too (development React costs about four times as much per frame).
process.env.NODE_ENV ||= 'production';
const reactMode = process.env.NODE_ENV;
const {Box, render, Text} = await import('ink');
const {createElement, useSyncExternalStore} = await import('react');
const {App} = await import('../source/app.tsx');
const {renderApp} = await import('../source/components/render-app.tsx');
const {systemClock} = await import('../source/core/clock.ts');
const {fakeTerminal} = await import('../test/components/fake-terminal.ts');
const {createFakeCore, HOUR, MINUTE, makeAccount, makeRequest, makeSession, makeSnapshot, makeWindow} =
	await import('../test/helpers/fake-core.ts');

const accountCount = 20;
const columns = 120;
const rows = 50;
const frameSamples = Number(process.env.TUI_BENCH_FRAMES ?? 400);
const idleSeconds = Number(process.env.TUI_BENCH_IDLE_SECONDS ?? 10);

/** A pool of 20 accounts whose usage, sessions and log move on every call, like a busy daemon's. */
function createWorkload() {
	let step = 0;
	const start = Date.now();
	const build = (): CoreSnapshot => {
		step++;
		const now = start + step * 100;
		const accounts = Array.from({length: accountCount}, (_, index) => {
			const used = (index * 7 + step * 0.3) % 100;
			return makeAccount({
				id: `acc-${index}`,
				name: `account-${String(index).padStart(2, '0')}`,
				plan: index % 3 === 0 ? 'pro' : 'plus',
				state:
					index === 3
						? {kind: 'pinned'}
						: index === 7
							? {kind: 'cooling', until: now + 90_000, reason: '429'}
							: {kind: 'active'},
				fiveHour: makeWindow({
					usedPercent: used,
					resetAt: index % 4 === 0 ? undefined : now + ((index * 17) % 300) * MINUTE,
					exhaustsAt: used > 70 ? now + 40 * MINUTE : undefined,
				}),
				weekly: makeWindow({
					usedPercent: used / 3,
					resetAt: now + (index + 1) * 8 * HOUR,
					lengthMinutes: 10_080,
				}),
				runningSessions: index % 5,
			});
		});
		return makeSnapshot({
			mode: 'attached',
			now,
			accounts,
			sessions: Array.from({length: 30}, (_, index) =>
				makeSession({
					id: `sess-${index}`,
					accountId: `acc-${index % accountCount}`,
					active: index % 3 === 0,
					lastActivityAt: now - index * 1000,
				}),
			),
			requests: Array.from({length: 200}, (_, index) =>
				makeRequest({
					id: `r-${step}-${index}`,
					at: now - index * 500,
					sessionId: `sess-${index % 30}`,
					accountId: `acc-${index % accountCount}`,
				}),
			),
			scheduler: {
				enabled: true,
				dryRun: false,
				policy: 'stagger',
				quietHours: undefined,
				nextKicks: accounts
					.filter((_, index) => index % 4 === 0)
					.map((account, index) => ({
						accountId: account.id,
						at: now + (index + 1) * 40 * MINUTE,
						reason: 'stagger',
					})),
			},
			totals: {
				requests: step * 3,
				inputTokens: step * 9000,
				outputTokens: step * 700,
				sessions: 30,
				moves: step >> 4,
				failovers: 0,
			},
			inFlight: 4,
		});
	};
	return {build};
}

/** A Markdown table with aligned columns, as the formatter (Biome) writes them. */
function markdownTable(rows: readonly (readonly string[])[]): string[] {
	const widths = (rows[0] ?? []).map((_, column) =>
		Math.max(3, ...rows.map((row) => (row[column] ?? '').length)),
	);
	const line = (cells: readonly string[]) =>
		`| ${cells.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join(' | ')} |`;
	const [header = [], ...body] = rows;
	return [line(header), line(widths.map((width) => '-'.repeat(width))), ...body.map(line)];
}

const quantile = (sorted: readonly number[], q: number) =>
	sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;

/** Frame time: in debug mode Ink lays out and writes on each commit, so one snapshot change = one whole frame. */
type FakeCore = ReturnType<typeof createFakeCore>;

/**
Ink's own floor for this terminal: the same number of rows, full width, plain ASCII without colours, one
number changing per frame. What the control center costs above it is ours.
*/
function PlainScreen({core}: {readonly core: FakeCore}) {
	const snapshot = useSyncExternalStore(core.subscribe, core.getSnapshot);
	const lines = Array.from({length: rows - 3}, (_, index) =>
		createElement(
			Text,
			{key: index},
			`${String(snapshot.totals.requests + index).padStart(8)} ${'x'.repeat(columns - 9)}`,
		),
	);
	return createElement(Box, {flexDirection: 'column'}, lines);
}

async function measureFrames(screen: 'app' | 'plain') {
	const workload = createWorkload();
	const core = createFakeCore(workload.build());
	const terminal = fakeTerminal(columns, rows, false);
	const element =
		screen === 'app' ? createElement(App, {core, clock: systemClock}) : createElement(PlainScreen, {core});
	const instance = render(element, {
		...terminal.streams,
		debug: true,
		patchConsole: false,
		exitOnCtrlC: false,
	});
	// The store subscription starts in an effect after the first commit.
	await new Promise((resolve) => setTimeout(resolve, 100));
	const times: number[] = [];
	const cpuTimes: number[] = [];
	for (let index = 0; index < frameSamples + 50; index++) {
		const next = workload.build();
		const before = terminal.stdout.frames;
		const cpuStarted = process.cpuUsage();
		const started = performance.now();
		core.update(() => next);
		// React flushes a store update in a microtask; wait for the frame it draws, however it is scheduled.
		for (let spins = 0; terminal.stdout.frames === before; spins++) {
			await (spins < 100 ? Promise.resolve() : new Promise((resolve) => setImmediate(resolve)));
			if (spins > 10_000) {
				throw new Error('No frame was drawn after a snapshot change: the measurement would be meaningless.');
			}
		}
		const elapsed = performance.now() - started;
		const cpu = process.cpuUsage(cpuStarted);
		if (index >= 50) {
			times.push(elapsed);
			cpuTimes.push((cpu.user + cpu.system) / 1000);
		}
		// Let timers and I/O run between frames, as they would in the app.
		await new Promise((resolve) => setImmediate(resolve));
	}
	instance.unmount();
	const sorted = [...times].sort((a, b) => a - b);
	const sortedCpu = [...cpuTimes].sort((a, b) => a - b);
	return {
		median: quantile(sorted, 0.5),
		p95: quantile(sorted, 0.95),
		max: sorted.at(-1) ?? Number.NaN,
		cpuMedian: quantile(sortedCpu, 0.5),
		cpuP95: quantile(sortedCpu, 0.95),
		samples: sorted.length,
	};
}

/** CPU over `seconds` while `run` is going, as a percentage of one core. */
async function cpuDuring(seconds: number): Promise<number> {
	const cpuBefore = process.cpuUsage();
	const wallBefore = performance.now();
	await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
	const cpu = process.cpuUsage(cpuBefore);
	return ((cpu.user + cpu.system) / 1000 / (performance.now() - wallBefore)) * 100;
}

async function measureIdle() {
	// The workload alone (building a snapshot every 100 ms, as the real core or the admin client does).
	const baseline = createWorkload();
	const baselineCore = createFakeCore(baseline.build());
	const baselineTimer = setInterval(() => baselineCore.update(baseline.build()), 100);
	const workloadOnly = await cpuDuring(idleSeconds / 2);
	clearInterval(baselineTimer);

	// The real TUI (renderApp: maxFps 10, incremental rendering) over the same workload.
	const workload = createWorkload();
	const core = createFakeCore(workload.build());
	const terminal = fakeTerminal(columns, rows, false);
	const app = renderApp(core, {...terminal.streams, clock: systemClock});
	await new Promise((resolve) => setTimeout(resolve, 1000));
	const timer = setInterval(() => core.update(workload.build()), 100);
	const framesBefore = terminal.stdout.frames;
	const bytesBefore = terminal.stdout.bytes;
	const withTui = await cpuDuring(idleSeconds);
	const frames = terminal.stdout.frames - framesBefore;
	const bytes = terminal.stdout.bytes - bytesBefore;
	clearInterval(timer);

	// Nothing changes at all: only the 1 s countdown tick (some resets are within the hour).
	const quiet = await cpuDuring(idleSeconds / 2);
	app.unmount();
	await app.waitUntilExit();

	// A quiet pool whose windows are all idle (overnight): nothing counts in seconds, so a frame a minute.
	const idleAccounts = workload.build().accounts.map((account) => ({
		...account,
		state: {kind: 'active'} as const,
		fiveHour: makeWindow(),
		weekly: makeWindow({lengthMinutes: 10_080}),
	}));
	const idleCore = createFakeCore(makeSnapshot({accounts: idleAccounts}));
	const idleTerminal = fakeTerminal(columns, rows, false);
	const idleApp = renderApp(idleCore, {...idleTerminal.streams, clock: systemClock});
	await new Promise((resolve) => setTimeout(resolve, 500));
	const idleFramesBefore = idleTerminal.stdout.frames;
	const quietIdleWindows = await cpuDuring(idleSeconds / 2);
	const quietIdleFrames = idleTerminal.stdout.frames - idleFramesBefore;
	idleApp.unmount();
	await idleApp.waitUntilExit();
	return {
		quietIdleWindows,
		quietIdleFrames,
		workloadOnly,
		withTui,
		tuiShare: withTui - workloadOnly,
		quiet,
		framesPerSecond: frames / idleSeconds,
		bytesPerSecond: bytes / idleSeconds,
	};
}

const frame = await measureFrames('app');
const floor = await measureFrames('plain');
const idle = await measureIdle();
const load = os
	.loadavg()
	.map((value) => value.toFixed(2))
	.join(' ');
const pass = (ok: boolean) => (ok ? 'met' : 'NOT met');
const lines = [
	'# TUI benchmark',
	'',
	`Measured ${new Date().toISOString()} with \`npm run bench:tui\` (React ${reactMode} build): Node ${process.version}, ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? 'unknown'}), load average ${load} at the end.`,
	`${accountCount} accounts, 30 sessions, 200 log entries, a ${columns}×${rows} terminal; the fake core publishes a new snapshot every 100 ms.`,
	'',
	...markdownTable(
		[
			'| measure | value | target |',
			`| full frame (React render + layout + output), median | ${frame.median.toFixed(2)} ms | < 16 ms (${pass(frame.median < 16)}) |`,
			`| full frame, p95 | ${frame.p95.toFixed(2)} ms | |`,
			`| full frame, max | ${frame.max.toFixed(2)} ms | |`,
			`| CPU time per full frame, median / p95 | ${frame.cpuMedian.toFixed(2)} / ${frame.cpuP95.toFixed(2)} ms | |`,
			`| Ink's floor: a plain ${columns}×${rows - 3} ASCII screen, median wall / CPU | ${floor.median.toFixed(2)} / ${floor.cpuMedian.toFixed(2)} ms | (for comparison) |`,
			`| CPU, TUI + workload, snapshot every 100 ms | ${idle.withTui.toFixed(2)} % of one core | |`,
			`| CPU, workload alone (no TUI) | ${idle.workloadOnly.toFixed(2)} % | |`,
			`| CPU used by the TUI (difference) | ${idle.tuiShare.toFixed(2)} % | < 3 % (${pass(idle.tuiShare < 3)}) |`,
			`| CPU, quiet (no snapshot changes, 1 s countdown tick) | ${idle.quiet.toFixed(2)} % | |`,
			`| CPU, quiet pool with idle windows (a frame a minute; ${idle.quietIdleFrames} frames in ${idleSeconds / 2} s) | ${idle.quietIdleWindows.toFixed(2)} % | |`,
			`| frames written per second, idle with snapshots every 100 ms | ${idle.framesPerSecond.toFixed(1)} | ≤ 10 (maxFps) |`,
			`| bytes written per second | ${Math.round(idle.bytesPerSecond)} | |`,
		].map((row) =>
			row
				.slice(1, -1)
				.split(' | ')
				.map((cell) => cell.trim()),
		),
	),
	'',
	`Frame samples: ${frame.samples} after 50 warm-up frames; idle: ${idleSeconds} s with updates, ${idleSeconds / 2} s quiet, ${idleSeconds / 2} s quiet with idle windows, ${idleSeconds / 2} s workload alone.`,
	'The machine is shared with other work, so figures vary from run to run; the load average above says how busy it was.',
	"These figures need React's production build (`NODE_ENV=production`); its development build cost about four times as",
	'much per frame in back-to-back runs while this was written (median 86.7 ms against 22.6 ms).',
	'',
];
const report = lines.join('\n');
process.stdout.write(report);
writeFileSync(new URL('results/tui.md', import.meta.url), report);
