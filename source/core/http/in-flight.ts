import type {ServerResponse} from 'node:http';

/**
The one count of model turns in flight: from a request's arrival (still waiting for an account or the
upstream's first byte counts too) until its answer ends or its client goes. The header, `/healthz` and
`status` all show this number; "quit now would cut streams" reads it too.
*/
export type InFlightCount = {
	readonly current: () => number;
	/** Counts this response until it closes. */
	readonly track: (response: ServerResponse) => void;
	/** Called on every change; returns the unsubscribe function. */
	readonly onChange: (listener: () => void) => () => void;
};

export function createInFlightCount(): InFlightCount {
	let count = 0;
	const listeners = new Set<() => void>();
	const changed = () => {
		for (const listener of listeners) {
			listener();
		}
	};

	return {
		current: () => count,
		track(response) {
			count++;
			changed();
			response.once('close', () => {
				count--;
				changed();
			});
		},
		onChange(listener) {
			listeners.add(listener);
			return () => listeners.delete(listener);
		},
	};
}
