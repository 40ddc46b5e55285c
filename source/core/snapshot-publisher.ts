import type {CoreSnapshot, Unsubscribe} from './contract.ts';

/**
Turns "something changed" into at most one new snapshot every `intervalMs`: a busy proxy marks the state
dirty on every chunk, but subscribers (the TUI, the admin API's event stream) see a bounded rate.
The snapshot object is replaced, never mutated, so `useSyncExternalStore` can compare by identity.
While nobody subscribes (a daemon with no TUI attached), changes build nothing: the next read builds.
*/
export type SnapshotPublisher = {
	readonly getSnapshot: () => CoreSnapshot;
	readonly subscribe: (listener: () => void) => Unsubscribe;
	/** Schedules a rebuild (coalesced). */
	readonly markDirty: () => void;
	/** Rebuilds and publishes now (after an action, so its caller sees the result at once). */
	readonly flush: () => void;
	readonly stop: () => void;
};

export function createSnapshotPublisher(build: () => CoreSnapshot, intervalMs = 100): SnapshotPublisher {
	// Built on first use, so a core can create its publisher before the parts the builder reads exist.
	let snapshot: CoreSnapshot | undefined;
	/** Changed while nobody listened: the next read rebuilds. */
	let stale = false;
	let timer: NodeJS.Timeout | undefined;
	let lastPublish = 0;
	const listeners = new Set<() => void>();

	const publish = () => {
		timer = undefined;
		stale = false;
		lastPublish = performance.now();
		snapshot = build();
		for (const listener of listeners) {
			listener();
		}
	};

	return {
		getSnapshot() {
			if (snapshot === undefined || stale) {
				stale = false;
				snapshot = build();
			}

			return snapshot;
		},
		subscribe(listener) {
			listeners.add(listener);
			return () => listeners.delete(listener);
		},
		markDirty() {
			if (listeners.size === 0) {
				stale = true;
				return;
			}

			if (timer !== undefined) {
				return;
			}

			const wait = Math.max(0, intervalMs - (performance.now() - lastPublish));
			timer = setTimeout(publish, wait);
			timer.unref();
		},
		flush() {
			if (timer !== undefined) {
				clearTimeout(timer);
			}

			publish();
		},
		stop() {
			if (timer !== undefined) {
				clearTimeout(timer);
				timer = undefined;
			}

			listeners.clear();
		},
	};
}
