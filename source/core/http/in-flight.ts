import type {ServerResponse} from 'node:http';

/**
The one count of model turns in flight: from a request's arrival (still waiting for an account or the
upstream's first byte counts too) until its answer ends or its client goes, and a WebSocket turn from its
`response.create` until its terminal event. The header, `/healthz` and `status` all show this number; "quit now
would cut streams" reads it too.
*/
export type InFlightCount = {
	readonly current: () => number;
	/** Counts this response until it closes. */
	readonly track: (response: ServerResponse) => void;
	/** Counts one turn that is no HTTP response (a WebSocket's); the function returned ends it (once). */
	readonly begin: () => () => void;
	/** Called on every change; returns the unsubscribe function. */
	readonly onChange: (listener: () => void) => () => void;
	/** Resolves once no turn is in flight, or after `ms`, or when `hurry` aborts, whichever comes first. */
	readonly settled: (ms: number, hurry?: AbortSignal) => Promise<void>;
};

export function createInFlightCount(): InFlightCount {
	let count = 0;
	const listeners = new Set<() => void>();
	const changed = () => {
		for (const listener of listeners) {
			listener();
		}
	};

	const begin = () => {
		count++;
		changed();
		let ended = false;
		return () => {
			if (!ended) {
				ended = true;
				count--;
				changed();
			}
		};
	};

	const onChange = (listener: () => void) => {
		listeners.add(listener);
		return () => listeners.delete(listener);
	};

	return {
		current: () => count,
		track(response) {
			response.once('close', begin());
		},
		begin,
		onChange,
		settled: (ms, hurry) =>
			new Promise<void>((resolve) => {
				if (count === 0 || ms <= 0 || hurry?.aborted) {
					resolve();
					return;
				}

				const done = () => {
					clearTimeout(timer);
					unsubscribe();
					hurry?.removeEventListener('abort', done);
					resolve();
				};
				const timer = setTimeout(done, ms);
				const unsubscribe = onChange(() => {
					if (count === 0) {
						done();
					}
				});
				hurry?.addEventListener('abort', done, {once: true});
			}),
	};
}
