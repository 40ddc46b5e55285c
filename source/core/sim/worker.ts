import {parentPort} from 'node:worker_threads';
import {type CellSpec, runCellRange} from './cells.ts';

/** A worker thread of the simulation pool: runs ranges of a cell's seeds and sends the values back. */
export type Job = {readonly id: number; readonly cell: CellSpec; readonly from: number; readonly to: number};
export type JobDone =
	| {readonly id: number; readonly values: Float64Array; readonly seconds: number}
	| {readonly id: number; readonly error: string};

parentPort?.on('message', (job: Job) => {
	try {
		const started = performance.now();
		const values = runCellRange(job.cell, job.from, job.to);
		const seconds = (performance.now() - started) / 1000;
		parentPort?.postMessage({id: job.id, values, seconds} satisfies JobDone, [values.buffer as ArrayBuffer]);
	} catch (error) {
		parentPort?.postMessage({id: job.id, error: error instanceof Error ? error.message : String(error)});
	}
});
