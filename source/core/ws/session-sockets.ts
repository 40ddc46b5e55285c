import WebSocket from 'ws';
import type {Clock} from '../clock.ts';
import type {ConversationMemory} from './conversation.ts';

/** One session's upstream socket for HTTP clients (http-over-socket.ts), on one account. */
export type SessionSocket = {
	readonly sessionId: string;
	readonly socket: WebSocket;
	readonly accountId: string;
	/** The handshake's headers (the account's credentials in them). */
	readonly headers: Readonly<Record<string, string>>;
	/** Clock ms of the handshake (the backend limits a connection's age). */
	readonly openedAt: number;
	readonly memory: ConversationMemory;
	/** What the upgrade response said (quota, model etag), for the first answer on the socket; then undefined. */
	upgradeHeaders: Record<string, string> | undefined;
	/** A request is on it: it takes no other, and it is never evicted. */
	busy: boolean;
	/** Clock ms its last request ended (or it opened). */
	lastUsed: number;
	idleTimer: NodeJS.Timeout | undefined;
};

/**
The per-session upstream sockets of HTTP clients, bounded like a connection pool: at most `maxSockets` open (or
being opened) at once. A new one makes room by closing the least recently used idle one; when every socket is
busy there is no room, and the request goes over HTTP instead of opening more. A socket idle for `idleMs`
(clock ms) closes, so a session that went quiet holds nothing upstream.
*/
export class SessionSockets {
	readonly #entries = new Map<string, SessionSocket>();
	/** Sessions whose socket is being opened: a slot each, and their other requests go over HTTP meanwhile. */
	readonly #opening = new Set<string>();
	readonly #clock: Clock;
	readonly #maxSockets: number;
	readonly #idleMs: number;
	#closed = false;

	constructor(options: {readonly clock: Clock; readonly maxSockets: number; readonly idleMs: number}) {
		this.#clock = options.clock;
		this.#maxSockets = options.maxSockets;
		this.#idleMs = options.idleMs;
	}

	get(sessionId: string): SessionSocket | undefined {
		return this.#entries.get(sessionId);
	}

	isOpening(sessionId: string): boolean {
		return this.#opening.has(sessionId);
	}

	/** Sockets open or being opened. */
	get size(): number {
		return this.#entries.size + this.#opening.size;
	}

	/**
	A slot for `sessionId`'s new socket: free, or made by closing the least recently used idle socket. False when
	every slot holds a busy socket (the request goes over HTTP). Each true must be followed by `add` or `release`.
	*/
	reserve(sessionId: string): boolean {
		if (this.size >= this.#maxSockets) {
			let oldest: SessionSocket | undefined;
			for (const entry of this.#entries.values()) {
				if (!entry.busy && (oldest === undefined || entry.lastUsed < oldest.lastUsed)) {
					oldest = entry;
				}
			}

			if (oldest === undefined) {
				return false;
			}

			this.drop(oldest);
		}

		this.#opening.add(sessionId);
		return true;
	}

	/** The reserved slot's socket did not open. */
	release(sessionId: string): void {
		this.#opening.delete(sessionId);
	}

	/**
	The reserved slot's socket opened: it serves its session until it closes, idles out or is evicted. False (and
	closed) when the pool closed meanwhile.
	*/
	add(entry: SessionSocket): boolean {
		this.#opening.delete(entry.sessionId);
		if (this.#closed) {
			entry.socket.close(1000);
			return false;
		}

		this.#entries.set(entry.sessionId, entry);
		entry.socket.once('close', () => this.#forget(entry));
		this.idle(entry);
		return true;
	}

	/** A request starts on `entry`. */
	busy(entry: SessionSocket): void {
		entry.busy = true;
		entry.lastUsed = this.#clock.now();
		clearTimeout(entry.idleTimer);
		entry.idleTimer = undefined;
	}

	/** `entry`'s request ended: it waits for the session's next one, at most `idleMs`. */
	idle(entry: SessionSocket): void {
		entry.busy = false;
		entry.lastUsed = this.#clock.now();
		this.#armIdleTimer(entry, this.#idleMs);
	}

	/**
	Closes `entry` and forgets it: with a close frame while it is idle; cut (as an aborted HTTP request's connection
	is) when `cut` or when it is paused, since a paused socket would never read the upstream's closing answer and
	would linger until ws's 30 s close timeout.
	*/
	drop(entry: SessionSocket, cut = false): void {
		this.#forget(entry);
		const {socket} = entry;
		if (cut || socket.isPaused) {
			socket.terminate();
		} else if (socket.readyState === WebSocket.CONNECTING || socket.readyState === WebSocket.OPEN) {
			socket.close(1000);
		}
	}

	close(): void {
		this.#closed = true;
		for (const entry of [...this.#entries.values()]) {
			this.drop(entry);
		}
	}

	#forget(entry: SessionSocket): void {
		clearTimeout(entry.idleTimer);
		entry.idleTimer = undefined;
		if (this.#entries.get(entry.sessionId) === entry) {
			this.#entries.delete(entry.sessionId);
		}
	}

	#armIdleTimer(entry: SessionSocket, clockMs: number): void {
		clearTimeout(entry.idleTimer);
		// Clock ms to real ms: the clock may run faster than real time (the soak, the demo).
		entry.idleTimer = setTimeout(
			() => {
				if (entry.busy) {
					return;
				}

				const left = entry.lastUsed + this.#idleMs - this.#clock.now();
				if (left > 0) {
					this.#armIdleTimer(entry, left);
					return;
				}

				this.drop(entry);
			},
			Math.max(1, Math.ceil(clockMs / this.#clock.speed)),
		);
		entry.idleTimer.unref();
	}
}
