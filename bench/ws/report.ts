import type {ChildMemory, ChildWork} from './child.ts';
import type {HoldTimes} from './hold-times.ts';

/** What `npm run bench:ws` measured. */
export type Measured = {
	/** Time to first event of every loop request (ms), direct and through the pool. */
	loopFirstEvent: {direct: number[]; pool: number[]; relay: number[]};
	/** Upstream bytes per request of one loop each way. */
	loopBytes: {direct: number[]; pool: number[]; httpDirect: number[]; httpPool: number[]};
	httpFirstByte: {direct: number[]; pool: number[]};
	/** How long each child held the loop's frames (hold-times.ts). */
	holds: {pool: HoldTimes; relay: HoldTimes};
	/** Responses per second per row, one value per round. */
	throughput: Record<string, number[]>;
	/** The CPU and garbage collections of each child row over its measured rounds. */
	work: Record<string, ChildWork>;
	memory: Array<{
		name: string;
		sessions: number;
		conversationBytes: number;
		before: ChildMemory;
		open: ChildMemory;
	}>;
};

function holdCells({up, down}: HoldTimes): string[] {
	return [up, down].flatMap((times) =>
		times.length === 0 ? ['', ''] : [percentile(times, 50).toFixed(3), percentile(times, 99).toFixed(3)],
	);
}

export type Setup = {
	loops: number;
	loopRequests: number;
	sessions: number;
	concurrentRequests: number;
	rounds: number;
	deltas: number;
	machine: string;
};

export function percentile(values: readonly number[], p: number): number {
	const sorted = [...values].sort((a, b) => a - b);
	return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

function median(values: readonly number[]): number {
	const sorted = [...values].sort((a, b) => a - b);
	const middle = Math.floor(sorted.length / 2);
	return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

const mean = (values: readonly number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;
const kb = (bytes: number) => (bytes / 1024).toFixed(1);

/** A markdown table padded as Biome's formatter writes it (bench/results is linted). */
function table(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
	const widths = header.map((cell, column) =>
		Math.max(cell.length, ...rows.map((row) => row[column]!.length)),
	);
	const line = (cells: readonly string[]) =>
		`| ${cells.map((cell, i) => cell.padEnd(widths[i]!)).join(' | ')} |`;
	return [line(header), `| ${widths.map((width) => '-'.repeat(width)).join(' | ')} |`, ...rows.map(line)];
}

export function report(measured: Measured, setup: Setup): string {
	const {loopBytes, loopFirstEvent, throughput} = measured;
	const bytesRow = (name: string, bytes: readonly number[]) => [
		name,
		String(bytes.length),
		kb(bytes[0] ?? 0),
		kb(bytes.at(-1) ?? 0),
		kb(mean(bytes)),
		kb(bytes.reduce((sum, value) => sum + value, 0)),
	];
	const wsRatio = mean(loopBytes.pool) / mean(loopBytes.direct);
	const added = (p: number, via = loopFirstEvent.pool) =>
		percentile(via, p) - percentile(loopFirstEvent.direct, p);
	const relay = median(throughput['minimal relay'] ?? []);
	const spread = (values: readonly number[]) =>
		`${median(values).toFixed(0)} (${Math.min(...values).toFixed(0)}–${Math.max(...values).toFixed(0)})`;
	return [
		'# The WebSocket path (`npm run bench:ws`)',
		'',
		`Measured ${new Date().toISOString()} on ${setup.machine}. The simulated upstream and the load generator share`,
		'this process; the pool (createPoolProxy, sources through tsx) and the minimal relay (bench/ws/relay.ts) each',
		'run in a child process. A shared machine: timings move between runs.',
		'',
		`## A ${setup.loopRequests}-request tool loop (a warm-up, then one new item per request; tool outputs of 5 KB)`,
		'',
		'Upstream bytes per model request (WebSocket: the `response.create` frame; HTTP: the POST body; warm-ups left out):',
		'',
		...table(
			['path', 'requests', 'first (KB)', 'last (KB)', 'mean (KB)', 'total (KB)'],
			[
				bytesRow('WebSocket, direct', loopBytes.direct),
				bytesRow('WebSocket, through the pool', loopBytes.pool),
				bytesRow('HTTP, direct', loopBytes.httpDirect),
				bytesRow('HTTP, through the pool', loopBytes.httpPool),
			],
		),
		'',
		`Through the pool / direct over WebSocket: **${wsRatio.toFixed(3)}×** the bytes (target ≤ 1.05×). Over HTTP`,
		`each request carries the whole conversation: the last one ${kb(loopBytes.httpDirect.at(-1) ?? 0)} KB.`,
		'',
		`Time to first event over WebSocket, ${loopFirstEvent.pool.length} requests each way (${setup.loops} loops; direct, through`,
		'the pool and through the minimal relay take turns request by request):',
		'',
		...table(
			['', 'p50 (ms)', 'p99 (ms)'],
			[
				[
					'direct',
					percentile(loopFirstEvent.direct, 50).toFixed(2),
					percentile(loopFirstEvent.direct, 99).toFixed(2),
				],
				[
					'through the pool',
					percentile(loopFirstEvent.pool, 50).toFixed(2),
					percentile(loopFirstEvent.pool, 99).toFixed(2),
				],
				['**added by the pool**', `**${added(50).toFixed(2)}**`, `**${added(99).toFixed(2)}**`],
				[
					'through the minimal relay',
					percentile(loopFirstEvent.relay, 50).toFixed(2),
					percentile(loopFirstEvent.relay, 99).toFixed(2),
				],
				[
					'added by the minimal relay',
					added(50, loopFirstEvent.relay).toFixed(2),
					added(99, loopFirstEvent.relay).toFixed(2),
				],
				[
					'HTTP direct (first byte, 1 loop)',
					percentile(measured.httpFirstByte.direct, 50).toFixed(2),
					percentile(measured.httpFirstByte.direct, 99).toFixed(2),
				],
				[
					'HTTP through the pool (first byte, 1 loop)',
					percentile(measured.httpFirstByte.pool, 50).toFixed(2),
					percentile(measured.httpFirstByte.pool, 99).toFixed(2),
				],
			],
		),
		'',
		'Targets: added p50 ≤ 1 ms, p99 ≤ 5 ms.',
		'',
		'What the child itself held each frame of those loops, from its arrival (the `ws` `message` event) to its',
		'relay (the next `send` the other way); the time to first event adds the sockets, the other processes and',
		'the machine (bench/ws/hold-times.ts):',
		'',
		...table(
			['', 'request in → upstream, p50 (ms)', 'p99 (ms)', 'upstream event → client, p50 (ms)', 'p99 (ms)'],
			[
				['the pool', ...holdCells(measured.holds.pool)],
				['the minimal relay', ...holdCells(measured.holds.relay)],
			],
		),
		'',
		`## ${setup.sessions} concurrent WebSocket sessions`,
		'',
		`Each session: a warm-up, then ${setup.concurrentRequests} chained short turns of ~${setup.deltas} text deltas; responses per second`,
		`over the phase, median of ${setup.rounds} rounds (range), the rows taking turns:`,
		'',
		...table(
			['row', 'responses/s', '× the relay', 'CPU per response (ms)', 'young / old collections', 'GC (ms)'],
			Object.entries(throughput).map(([name, values]) => {
				const work = measured.work[name];
				const responses = values.length * setup.sessions * setup.concurrentRequests;
				return [
					name,
					spread(values),
					(median(values) / relay).toFixed(2),
					work === undefined ? '' : (work.cpuMs / responses).toFixed(2),
					work === undefined ? '' : `${work.minor} / ${work.major}`,
					work === undefined ? '' : (work.minorMs + work.majorMs).toFixed(0),
				];
			}),
		),
		'',
		'Target: the pool ≥ 0.9× the minimal relay. CPU and collections: the child over the measured rounds (the',
		'direct row has no child; GC is wall time, which a busy machine stretches).',
		'',
		'## Memory held per open session',
		'',
		'The child process after two full GCs, before and with the sessions open (each: a warm-up and one request',
		'holding a conversation of the given size):',
		'',
		...table(
			[
				'process',
				'sessions',
				'conversation',
				'RSS per session (KB)',
				'heap per session (KB)',
				'RSS open (MB)',
			],
			measured.memory.map((row) => [
				row.name,
				String(row.sessions),
				row.conversationBytes === 0 ? 'small' : `${kb(row.conversationBytes)} KB`,
				kb((row.open.rss - row.before.rss) / row.sessions),
				kb(
					(row.open.heapUsed + row.open.external - row.before.heapUsed - row.before.external) / row.sessions,
				),
				(row.open.rss / 1024 / 1024).toFixed(1),
			]),
		),
		'',
	].join('\n');
}
