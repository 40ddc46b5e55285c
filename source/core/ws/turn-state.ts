export const TURN_STATE = 'x-codex-turn-state';

/**
Which account the client's `x-codex-turn-state` routes to, on one connection. Codex gets a turn state from
the upgrade response (the first upstream socket's, passed on at the handshake) and sends one in its handshake
headers, which every upstream socket of the connection is opened with, and in its frames' `client_metadata`.
A turn state routes to the account that issued it, so neither goes to another account: not when the session
moves, and not when the socket to the account it moved to is reopened later (the handshake headers are still
the first ones).
*/
/** What the owners need of an upstream socket (upstream-open.ts's OpenedSocket). */
type OpenedSocket = {readonly accountId: string; readonly keptTurnState: boolean};

export class TurnStateOwners {
	/** The account the client's handshake turn state belongs to (undefined: none or unknown). */
	#header: string | undefined;
	/** The account whose turn state the client's frames carry (the one whose upgrade headers it got). */
	#frame: string | undefined;
	#decided: boolean;

	constructor(initial: OpenedSocket | undefined) {
		this.#header = initial?.keptTurnState === true ? initial.accountId : undefined;
		this.#frame = initial?.accountId;
		this.#decided = initial !== undefined;
	}

	/** The first socket of a connection that got none at its handshake decides: its own turn state, if kept. */
	opened(upstream: OpenedSocket): void {
		if (!this.#decided) {
			this.#decided = true;
			this.#header = upstream.keptTurnState ? upstream.accountId : undefined;
			this.#frame = this.#header;
		}
	}

	/** Whether a socket to `accountId` must be opened without the client's handshake turn state. */
	headerForeignTo(accountId: string): boolean {
		return this.#decided && accountId !== this.#header;
	}

	/** Whether a frame to `accountId` must go without the turn state in its `client_metadata`. */
	frameForeignTo(accountId: string): boolean {
		return accountId !== this.#frame;
	}
}

/** A body without the turn state Codex copies into `client_metadata`. */
export function withoutTurnState(body: Record<string, unknown>): Record<string, unknown> {
	const metadata = body.client_metadata;
	if (typeof metadata !== 'object' || metadata === null || !(TURN_STATE in metadata)) {
		return body;
	}

	const {[TURN_STATE]: _dropped, ...rest} = metadata as Record<string, unknown>;
	return {...body, client_metadata: rest};
}
