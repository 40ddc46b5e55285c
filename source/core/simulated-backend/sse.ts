import type {ServerResponse} from 'node:http';

/** Writes `chunk`, waiting for 'drain' when the socket's buffer is full (backpressure). */
export function writeWithBackpressure(res: ServerResponse, chunk: string): Promise<void> {
	if (res.write(chunk)) {
		return Promise.resolve();
	}

	return new Promise((resolve) => {
		const done = () => {
			res.off('drain', done);
			res.off('close', done);
			resolve();
		};

		res.on('drain', done);
		res.on('close', done);
	});
}

/**
Joins frames into at most `chunks` writes. Few large writes keep the simulated upstream from being the
bottleneck of a benchmark, while the bytes stay ordinary SSE.
*/
export function batchFrames(frames: readonly string[], chunks: number): string[] {
	if (chunks <= 1 || frames.length <= 1) {
		return [frames.join('')];
	}

	const size = Math.ceil(frames.length / chunks);
	const batches: string[] = [];
	for (let i = 0; i < frames.length; i += size) {
		batches.push(frames.slice(i, i + size).join(''));
	}

	return batches;
}
