/** A client connection's frames, served one at a time in the order they came. */
export type FrameQueue = {
	readonly push: (data: Buffer) => void;
	/** Drops the frames not served yet (the connection closes). */
	readonly clear: () => void;
};

/**
Serves each frame after the previous one is done, until `stopped` aborts; a frame whose serving throws calls
`onFailure` (the connection is closed there) and the rest wait for the next push.
*/
export function frameQueue(
	serve: (data: Buffer) => Promise<void>,
	onFailure: (error: unknown) => void,
	stopped: AbortSignal,
): FrameQueue {
	const queue: Buffer[] = [];
	let busy = false;
	const run = async () => {
		if (busy) {
			return;
		}

		busy = true;
		try {
			while (queue.length > 0 && !stopped.aborted) {
				await serve(queue.shift()!);
			}
		} catch (error) {
			onFailure(error);
		} finally {
			busy = false;
		}
	};

	return {
		push(data) {
			queue.push(data);
			void run();
		},
		clear() {
			queue.length = 0;
		},
	};
}
