import {availableParallelism} from 'node:os';
import {fileURLToPath} from 'node:url';
import {Worker} from 'node:worker_threads';
import {type CellResult, type CellSpec, runCellRange, summarise, VALUES_PER_RUN} from './cells.ts';
import type {Job, JobDone} from './worker.ts';

export type PoolOptions = {
	/** Worker threads; default: every core. 0 runs everything in this thread (tests, tiny runs). */
	readonly threads?: number;
	/** Runs per job: smaller spreads better, larger costs fewer messages. */
	readonly chunk?: number;
	/** Called after each finished job with the runs done so far and the total. */
	readonly onProgress?: (done: number, total: number) => void;
};

export type CellOutcome = CellResult & {
	/** Sessions simulated over all runs of the cell. */
	readonly sessions: number;
	/** Time spent simulating the cell's runs (seconds, summed over threads). */
	readonly seconds: number;
	/** Every run's values (VALUES_PER_RUN per run, in seed order), for comparisons on the same seeds. */
	readonly values: Float64Array;
};

/**
Run every cell, its seeds split into jobs spread over worker threads (from the bundle or the sources, as this
code runs: newWorker). Results come back in the cells' order.
*/
export async function runCells(
	cells: readonly CellSpec[],
	options: PoolOptions = {},
): Promise<CellOutcome[]> {
	const chunk = options.chunk ?? 16;
	const jobs: Job[] = [];
	for (const [index, cell] of cells.entries()) {
		for (let from = 0; from < cell.runs; from += chunk) {
			jobs.push({id: index, cell, from, to: Math.min(cell.runs, from + chunk)});
		}
	}

	const values = cells.map((cell) => new Float64Array(cell.runs * VALUES_PER_RUN));
	const seconds = cells.map(() => 0);
	const total = cells.reduce((sum, cell) => sum + cell.runs, 0);
	let done = 0;
	const finish = (job: Job, result: Float64Array, spent: number) => {
		values[job.id]!.set(result, job.from * VALUES_PER_RUN);
		seconds[job.id] = seconds[job.id]! + spent;
		done += job.to - job.from;
		options.onProgress?.(done, total);
	};

	const threads = Math.min(options.threads ?? availableParallelism(), jobs.length);
	if (threads <= 0) {
		for (const job of jobs) {
			const started = performance.now();
			const result = runCellRange(job.cell, job.from, job.to);
			finish(job, result, (performance.now() - started) / 1000);
		}
	} else {
		await runOnWorkers(jobs, threads, finish);
	}

	return cells.map((cell, index) => ({
		...summarise(cell, values[index]!),
		seconds: seconds[index]!,
		values: values[index]!,
	}));
}

/**
Where a worker thread starts. In the bundle (dist/, what the installed package runs) the worker is a bundle entry
of its own, dist/sim-worker.js, next to the chunk this code is in (bin/build.js). Run from the sources (a clone,
tests) the worker registers tsx's loader first, then loads the TypeScript entry (Node 20 does not apply
`--import tsx` from a worker's execArgv to the worker's own entry module).
*/
function newWorker(): Worker {
	if (!import.meta.url.endsWith('.ts')) {
		return new Worker(new URL('./sim-worker.js', import.meta.url));
	}

	const tsconfig = fileURLToPath(new URL('../../../tsconfig.json', import.meta.url));
	const bootstrap = `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))})
	.then(({register}) => { register({tsconfig: ${JSON.stringify(tsconfig)}}); return import(${JSON.stringify(new URL('./worker.ts', import.meta.url).href)}); });`;
	return new Worker(bootstrap, {eval: true});
}

async function runOnWorkers(
	jobs: readonly Job[],
	threads: number,
	finish: (job: Job, values: Float64Array, seconds: number) => void,
): Promise<void> {
	let next = 0;
	const workers: Worker[] = [];
	try {
		await Promise.all(
			Array.from({length: threads}, async () => {
				const worker = newWorker();
				workers.push(worker);
				while (next < jobs.length) {
					const job = jobs[next++]!;
					const done = await runJob(worker, job);
					finish(job, done.values, done.seconds);
				}
			}),
		);
	} finally {
		await Promise.all(workers.map((worker) => worker.terminate()));
	}
}

function runJob(worker: Worker, job: Job): Promise<{values: Float64Array; seconds: number}> {
	return new Promise((resolve, reject) => {
		const cleanup = () => {
			worker.off('message', onMessage);
			worker.off('error', onError);
		};

		const onMessage = (message: JobDone) => {
			cleanup();
			if ('error' in message)
				reject(new Error(`Simulation of ${job.cell.strategy} failed: ${message.error}`));
			else resolve(message);
		};

		const onError = (error: Error) => {
			cleanup();
			reject(error);
		};

		worker.on('message', onMessage);
		worker.on('error', onError);
		worker.postMessage(job);
	});
}
