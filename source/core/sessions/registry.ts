import type {Clock} from '../clock.ts';
import type {SessionSnapshot} from '../model.ts';

/** What the proxy remembers of one client conversation. */
export type SessionState = {
	readonly id: string;
	readonly client: string;
	readonly accountId: string;
	readonly turns: number;
	readonly inputTokens: number;
	readonly cachedTokens: number;
	readonly outputTokens: number;
	readonly moves: number;
	readonly lastActivityAt: number;
	readonly inFlight: number;
	/** How the client reaches the pool: HTTP requests or one WebSocket. */
	readonly transport: SessionTransport;
};

export type SessionTransport = 'http' | 'websocket';

export type TurnUsage = {
	readonly inputTokens: number;
	readonly cachedTokens: number;
	readonly outputTokens: number;
	/** Of `outputTokens`, reasoning (for the request history; absent when the upstream did not say). */
	readonly reasoningTokens?: number;
};

/**
The sessions the proxy has seen, and the account each one sticks to. Bounded: at most `capacity` sessions,
least recently active dropped first, and none older than `ttlMs` (a dropped session is simply new again).
*/
export type SessionRegistry = {
	get: (id: string) => SessionState | undefined;
	/**
	Puts the session on `accountId` (creating it, or moving it: a move counts when the account changes), and
	records how the client came (HTTP unless said).
	*/
	assign: (id: string, accountId: string, client: string, transport?: SessionTransport) => SessionState;
	begin: (id: string) => void;
	/** A request of the session ended; `usage` when the upstream reported it (a completed turn). */
	end: (id: string, usage: TurnUsage | undefined) => void;
	snapshots: () => SessionSnapshot[];
	/** Sessions per account that count as running: in flight, or active within `activeWindowMs`. */
	runningCounts: () => Map<string, number>;
	readonly size: number;
};

export function createSessionRegistry(options: {
	clock: Clock;
	capacity?: number;
	ttlMs?: number;
	activeWindowMs?: number;
}): SessionRegistry {
	const {clock, capacity = 5000, ttlMs = 24 * 3_600_000, activeWindowMs = 10 * 60_000} = options;
	const sessions = new Map<string, SessionState>();
	/**
	The sessions active within `activeWindowMs`, in the same order: the running ones are counted on every request,
	and walking the idle ones too (up to `capacity`) cost the whole registry each time. Those that fell out of the
	window are dropped from its front when counting.
	*/
	const recent = new Map<string, SessionState>();
	/** Sessions with a request in flight, which run however long ago they began. */
	const inFlight = new Map<string, SessionState>();

	const touch = (state: SessionState) => {
		// Re-inserting keeps the Maps in least-recently-active order, so the first key is the one to drop.
		for (const map of [sessions, recent]) {
			map.delete(state.id);
			map.set(state.id, state);
		}

		if (state.inFlight > 0) {
			inFlight.set(state.id, state);
		} else {
			inFlight.delete(state.id);
		}

		const now = clock.now();
		for (const [id, old] of sessions) {
			if (sessions.size <= capacity && now - old.lastActivityAt <= ttlMs) {
				break;
			}

			if (old.inFlight === 0) {
				sessions.delete(id);
				recent.delete(id);
			} else if (sessions.size <= capacity) {
				break;
			}
		}
	};

	return {
		get: (id) => sessions.get(id),
		assign(id, accountId, client, transport = 'http') {
			const now = clock.now();
			const existing = sessions.get(id);
			const state: SessionState =
				existing === undefined
					? {
							id,
							client,
							accountId,
							turns: 0,
							inputTokens: 0,
							cachedTokens: 0,
							outputTokens: 0,
							moves: 0,
							lastActivityAt: now,
							inFlight: 0,
							transport,
						}
					: {
							...existing,
							accountId,
							moves: existing.accountId === accountId ? existing.moves : existing.moves + 1,
							lastActivityAt: now,
							transport,
						};
			touch(state);
			return state;
		},
		begin(id) {
			const state = sessions.get(id);
			if (state !== undefined) {
				touch({...state, inFlight: state.inFlight + 1, lastActivityAt: clock.now()});
			}
		},
		end(id, usage) {
			const state = sessions.get(id);
			if (state === undefined) {
				return;
			}

			touch({
				...state,
				inFlight: Math.max(0, state.inFlight - 1),
				lastActivityAt: clock.now(),
				turns: state.turns + (usage === undefined ? 0 : 1),
				inputTokens: state.inputTokens + (usage?.inputTokens ?? 0),
				cachedTokens: state.cachedTokens + (usage?.cachedTokens ?? 0),
				outputTokens: state.outputTokens + (usage?.outputTokens ?? 0),
			});
		},
		snapshots() {
			return [...sessions.values()].reverse().map((state) => ({
				id: state.id,
				client: state.client,
				accountId: state.accountId,
				turns: state.turns,
				inputTokens: state.inputTokens,
				cachedTokens: state.cachedTokens,
				outputTokens: state.outputTokens,
				moves: state.moves,
				lastActivityAt: state.lastActivityAt,
				active: state.inFlight > 0,
				transport: state.transport,
			}));
		},
		runningCounts() {
			const now = clock.now();
			for (const [id, state] of recent) {
				if (now - state.lastActivityAt <= activeWindowMs) {
					break;
				}

				recent.delete(id);
			}

			const counts = new Map<string, number>();
			const count = (state: SessionState) => {
				counts.set(state.accountId, (counts.get(state.accountId) ?? 0) + 1);
			};

			for (const state of recent.values()) {
				count(state);
			}

			for (const state of inFlight.values()) {
				if (!recent.has(state.id)) {
					count(state);
				}
			}

			return counts;
		},
		get size() {
			return sessions.size;
		},
	};
}
