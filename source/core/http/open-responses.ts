import type {Server, ServerResponse} from 'node:http';

/** The responses of a server still open (a stream counts until its last byte went out or its client left). */
export type OpenResponses = {
	readonly count: () => number;
	/** Resolves once none is open, or after `ms`, or when `hurry` aborts, whichever comes first. */
	readonly settled: (ms: number, hurry?: AbortSignal) => Promise<void>;
};

export function trackOpenResponses(server: Server): OpenResponses {
	const open = new Set<ServerResponse>();
	const waiters = new Set<() => void>();
	server.on('request', (_request, response: ServerResponse) => {
		open.add(response);
		response.once('close', () => {
			open.delete(response);
			if (open.size === 0) {
				for (const waiter of waiters) {
					waiter();
				}
			}
		});
	});

	return {
		count: () => open.size,
		settled: (ms, hurry) =>
			new Promise<void>((resolve) => {
				if (open.size === 0 || ms <= 0 || hurry?.aborted) {
					resolve();
					return;
				}

				const done = () => {
					clearTimeout(timer);
					waiters.delete(done);
					hurry?.removeEventListener('abort', done);
					resolve();
				};
				const timer = setTimeout(done, ms);
				waiters.add(done);
				hurry?.addEventListener('abort', done, {once: true});
			}),
	};
}
