import type {Notice, RequestLogEntry, SessionMove} from '../model.ts';

/** A request was served by another account than the first one tried (before any byte reached the client). */
export type FailoverEvent = {
	readonly at: number;
	readonly sessionId: string;
	readonly from: string;
	readonly reason: string;
};

/** What the forwarding engine reports to the core. `move` has the core's shape. */
export type ProxyEvents = {
	request: [RequestLogEntry];
	move: [SessionMove];
	failover: [FailoverEvent];
	notice: [Notice];
};

/** A small typed event emitter; `on` returns the unsubscribe function. */
export class Emitter<Events extends Record<string, unknown[]>> {
	readonly #listeners = new Map<keyof Events, Set<(...args: unknown[]) => void>>();

	on<E extends keyof Events>(event: E, listener: (...args: Events[E]) => void): () => void {
		let set = this.#listeners.get(event);
		if (set === undefined) {
			set = new Set();
			this.#listeners.set(event, set);
		}

		set.add(listener as unknown as (...args: unknown[]) => void);
		return () => set.delete(listener as unknown as (...args: unknown[]) => void);
	}

	emit<E extends keyof Events>(event: E, ...args: Events[E]): void {
		const set = this.#listeners.get(event);
		if (set === undefined) {
			return;
		}

		for (const listener of set) {
			(listener as unknown as (...args: Events[E]) => void)(...args);
		}
	}
}

/**
The events of one request that ended on `to`, over HTTP and WebSocket alike: its session's move from `from`
(undefined or `to`: none), and a failover from each account it failed on the way.
*/
export function emitMoves(
	events: Emitter<ProxyEvents>,
	at: number,
	move: {
		readonly sessionId: string;
		readonly from: string | undefined;
		readonly to: string;
		/** Why the session left `from`. */
		readonly reason: string;
		readonly failedOver: readonly string[];
		readonly failure: string | undefined;
	},
): void {
	const {sessionId, from, to} = move;
	if (from !== undefined && from !== to) {
		events.emit('move', {at, sessionId, from, to, reason: move.reason});
	}

	for (const failed of move.failedOver) {
		events.emit('failover', {at, sessionId, from: failed, reason: move.failure ?? 'failed'});
	}
}
