import type {InFlightCount} from '../http/in-flight.ts';
import type {ToClient} from './client-sender.ts';

/** What the front door can ask of a client connection when the pool stops. */
export type RelayHandle = {
	/** The pool stops: no new turn; an idle connection closes now (1001), a busy one once its turn ends. */
	readonly drain: () => void;
	/**
	The grace period is over: a turn still running ends with a `response.failed` saying why (Codex retries it on
	a new connection), then the connection closes with 1001 (going away).
	*/
	readonly stop: (message: string) => void;
};

/** The close code and reason of a connection the stopping pool closes. */
export const GOING_AWAY = 1001;
const GOING_AWAY_REASON = 'codexpool is stopping';

/**
A client connection's turns as the pool counts them: each `response.create` is in the pool's one in-flight
count from its arrival until its terminal event (or its client going), and the pool's stop waits for it.
*/
export class RelayLife implements RelayHandle {
	readonly #inFlight: InFlightCount | undefined;
	readonly #toClient: ToClient;
	/** Closes the connection at once (the relay also drops its upstream socket). */
	readonly #goAway: (code: number, reason: string) => void;
	#endCount: (() => void) | undefined;
	#draining = false;

	constructor(
		inFlight: InFlightCount | undefined,
		toClient: ToClient,
		goAway: (code: number, reason: string) => void,
	) {
		this.#inFlight = inFlight;
		this.#toClient = toClient;
		this.#goAway = goAway;
	}

	beginTurn(): void {
		this.#finishCount();
		this.#endCount = this.#inFlight?.begin() ?? (() => {});
	}

	/** The turn reached its terminal event (or its client went): a draining connection closes now. */
	turnDone(): void {
		this.#finishCount();
		if (this.#draining) {
			this.#goAway(GOING_AWAY, GOING_AWAY_REASON);
		}
	}

	drain(): void {
		this.#draining = true;
		if (this.#endCount === undefined) {
			this.#goAway(GOING_AWAY, GOING_AWAY_REASON);
		}
	}

	stop(message: string): void {
		this.#draining = true;
		if (this.#endCount !== undefined) {
			this.#toClient(stoppedFrame(message), 'response.failed');
		}

		this.#finishCount();
		this.#goAway(GOING_AWAY, GOING_AWAY_REASON);
	}

	#finishCount(): void {
		this.#endCount?.();
		this.#endCount = undefined;
	}
}

/** `response.failed` as the HTTP path ends a stream the stopping pool cuts (proxy/watch.ts). */
function stoppedFrame(message: string): string {
	return JSON.stringify({
		type: 'response.failed',
		response: {status: 'failed', error: {code: 'upstream_stream_broken', message}},
	});
}
