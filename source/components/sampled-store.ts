import type {Core, CoreSnapshot} from '../core/contract.ts';

/** The snapshot store the views subscribe to, in the `useSyncExternalStore` shape. */
export type SnapshotStore = {
	readonly subscribe: (listener: () => void) => () => void;
	readonly getSnapshot: () => CoreSnapshot;
	/** Passes the core's latest snapshot on now (after an action, so its effect shows with its result). */
	readonly flush: () => void;
};

/**
The core's snapshots, passed on at most once every `intervalMs` (the first change at once, the last one of a
burst after the interval), so a core publishing every 100 ms does not make the UI redraw every 100 ms. Each
frame re-lays out and re-encodes the whole screen in Ink, so the frame rate is what idle CPU is made of; keys
still redraw at once (they change view state, not the snapshot). `intervalMs` 0 passes every snapshot on. `onEmit` runs just before the views are told.
*/
export function createSampledStore(
	core: Core,
	intervalMs: number,
	onEmit: () => void = () => {},
): SnapshotStore {
	if (intervalMs <= 0) {
		return {subscribe: core.subscribe, getSnapshot: core.getSnapshot, flush: () => {}};
	}
	let current = core.getSnapshot();
	let lastEmit = 0;
	let timer: NodeJS.Timeout | undefined;
	let unsubscribeCore: (() => void) | undefined;
	const listeners = new Set<() => void>();

	const emit = () => {
		timer = undefined;
		lastEmit = performance.now();
		const next = core.getSnapshot();
		if (next === current) {
			return;
		}
		current = next;
		onEmit();
		for (const listener of listeners) {
			listener();
		}
	};

	const onCoreChange = () => {
		if (timer !== undefined) {
			return;
		}
		const wait = lastEmit + intervalMs - performance.now();
		if (wait <= 0) {
			emit();
		} else {
			timer = setTimeout(emit, wait);
		}
	};

	return {
		subscribe(listener) {
			listeners.add(listener);
			if (unsubscribeCore === undefined) {
				current = core.getSnapshot();
				unsubscribeCore = core.subscribe(onCoreChange);
			}
			return () => {
				listeners.delete(listener);
				if (listeners.size === 0) {
					unsubscribeCore?.();
					unsubscribeCore = undefined;
					clearTimeout(timer);
					timer = undefined;
				}
			};
		},
		getSnapshot: () => current,
		flush() {
			clearTimeout(timer);
			if (listeners.size > 0) {
				emit();
			}
		},
	};
}
