import type {PerformanceObserver} from 'node:perf_hooks';

/** The new space's size in bytes (both semi-spaces). */
export function newSpaceSize(): number;
/** Caps the young generation at `capMb` per semi-space, at run time; returns the observer doing it. */
export function capYoungGeneration(capMb: number): PerformanceObserver;
