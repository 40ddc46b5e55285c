import {parentPort} from 'node:worker_threads';
import {type CellSpec, runCellRange} from './cells.ts';

/** A worker thread of the simulation pool: runs ranges of a cell's seeds and sends the values back. */
export type Job = {readonly id: number; readonly cell: CellSpec; readonly from: number; readonly to: number};
export type JobDone =
	| {readonly id: number; readonly values: Float64Array}
	| {readonly id: number; readonly error: string};

parentPort?.on('message', (job: Job) => {
	try {
		const values = runCellRange(job.cell, job.from, job.to);
		parentPort?.postMessage({id: job.id, values} satisfies JobDone, [values.buffer as ArrayBuffer]);
	} catch (error) {
		parentPort?.postMessage({id: job.id, error: error instanceof Error ? error.message : String(error)});
	}
});
