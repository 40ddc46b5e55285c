import {createContext, type ReactNode, useCallback, useContext, useState, useSyncExternalStore} from 'react';
import type {Clock} from '../core/clock.ts';
import type {Core, CoreSnapshot} from '../core/contract.ts';
import {createSampledStore, type SnapshotStore} from './sampled-store.ts';
import {createTicker, type Ticker} from './ticker.ts';

type CoreContextValue = {
	readonly core: Core;
	readonly store: SnapshotStore;
	readonly ticker: Ticker;
};

const CoreContext = createContext<CoreContextValue | undefined>(undefined);

type Props = {
	readonly core: Core;
	/** The clock countdowns are measured on: the system clock, or the demo's accelerated one. */
	readonly clock: Clock;
	/** How often (real ms) countdowns advance; 1000 unless a test wants it faster. */
	readonly tickMs?: number;
	/** Pass the core's snapshots on at most this often (real ms); 0 passes every one (tests). */
	readonly snapshotIntervalMs?: number;
	readonly children: ReactNode;
};

/** Makes the core and a shared countdown ticker available to every view below. */
export function CoreProvider({core, clock, tickMs = 1000, snapshotIntervalMs = 0, children}: Props) {
	// One store and ticker per provider for its whole life; a new clock or core means a new app.
	const [value] = useState(() => {
		const ticker = createTicker(clock, tickMs);
		// A redraw for a new snapshot also refreshes the countdowns, so a busy core costs one frame, not two.
		return {core, ticker, store: createSampledStore(core, snapshotIntervalMs, ticker.touch)};
	});
	return <CoreContext.Provider value={value}>{children}</CoreContext.Provider>;
}

function useCoreContext(): CoreContextValue {
	const value = useContext(CoreContext);
	if (value === undefined) {
		throw new Error('useCore() needs a <CoreProvider> above it.');
	}
	return value;
}

/** The core, for its actions. */
export function useCore(): Core {
	return useCoreContext().core;
}

/** Shows the core's latest snapshot now instead of at the next sample (after an action). */
export function useRefreshSnapshot(): () => void {
	return useCoreContext().store.flush;
}

/** The current snapshot; the view re-renders when the core publishes a new one (sampled, see CoreProvider). */
export function useSnapshot(): CoreSnapshot {
	const {store} = useCoreContext();
	return useSyncExternalStore(store.subscribe, store.getSnapshot);
}

/** The latest tick's time without subscribing to the ticks (to decide how often to subscribe). */
export function usePeekNow(): number {
	return useCoreContext().ticker.getNow();
}

/**
The clock's time, advanced once per tick (1 s). Every view that calls it shares one interval, and the
interval runs only while some view is subscribed. With `resolutionMs` above the tick, the view re-renders
only when the time crosses a multiple of it (a screen whose countdowns show minutes redraws once a minute),
yet the time returned is always the latest tick's.
*/
export function useNow(resolutionMs = 0): number {
	const {ticker} = useCoreContext();
	const getStep = useCallback(
		() => (resolutionMs > 0 ? Math.floor(ticker.getNow() / resolutionMs) : ticker.getNow()),
		[ticker, resolutionMs],
	);
	useSyncExternalStore(ticker.subscribe, getStep);
	return ticker.getNow();
}
