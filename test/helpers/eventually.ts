/** Waits `ms` real milliseconds. */
export const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
Runs `check` until it stops throwing, and rethrows its last error after `timeoutMs`: for state that settles
on its own schedule (a snapshot published every ~100 ms, a frame React commits later), instead of a sleep.
*/
export async function eventually<T>(check: () => T | Promise<T>, timeoutMs = 1000, everyMs = 10): Promise<T> {
	const started = Date.now();
	for (;;) {
		try {
			return await check();
		} catch (error) {
			if (Date.now() - started > timeoutMs) {
				throw error;
			}

			await delay(everyMs);
		}
	}
}

/** Reads until `accept` says yes, or returns the last reading after `timeoutMs` (the caller asserts on it). */
export async function pollUntil<T>(
	read: () => Promise<T>,
	accept: (value: T) => boolean,
	timeoutMs = 5000,
	everyMs = 50,
): Promise<T> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const value = await read();
		if (accept(value) || Date.now() > deadline) {
			return value;
		}

		await delay(everyMs);
	}
}
