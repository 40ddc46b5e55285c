import type {IssuerRegistry} from '../sessions/issuers.ts';
import {TURN_STATE} from '../sessions/turn-state-issuers.ts';

export {recordFrameTurnState, TURN_STATE} from '../sessions/turn-state-issuers.ts';

/** How a frame's `client_metadata` spells it, up to the value's opening quote (JSON.stringify's form). */
const RAW_KEY = `"${TURN_STATE}":"`;

/**
Which account the client's `x-codex-turn-state` routes to, on one connection. A turn state routes to the
account that issued it, so it never goes to another one: not when the session moves, and not when a socket
is reopened.

Where Codex 0.171 gets it (seen with the real CLI against the simulated backend, test/ws/turn-state.test.ts;
`ResponsesStreamEvent::turn_state` in codex-rs/codex-api/src/sse/responses.rs): from the `headers` of a
`response.metadata` frame, the first one of a turn winning (`ModelClientSession::turn_state`, a per-turn
`OnceLock`, codex-rs/core/src/client.rs); it then copies it into the `client_metadata` of each later
`response.create` of that turn. It ignores one at the upgrade response and in `codex.response.metadata`, and
sends none at its handshake. So the value decides: the pool records who issued every turn state it passes to
a client (upgrade headers and metadata frames, in the pool-wide issuer registry), and a frame's turn state
belongs to its issuer. One the pool never passed (an older Codex's handshake header, a pool restarted
mid-turn) falls back to the connection's first socket: the account whose upgrade headers the client got.
*/
/** What the owners need of an upstream socket (upstream-open.ts's OpenedSocket). */
type OpenedSocket = {readonly accountId: string; readonly keptTurnState: boolean};

export class TurnStateOwners {
	readonly #issuers: IssuerRegistry;
	/** The turn state of the client's handshake headers, if any. */
	readonly #handshakeValue: string | undefined;
	/** The account the client's handshake turn state belongs to (undefined: none or unknown). */
	#header: string | undefined;
	/** The account whose turn state the client's frames carry, for a value of unknown issuer. */
	#frame: string | undefined;
	#decided: boolean;

	constructor(initial: OpenedSocket | undefined, issuers: IssuerRegistry, handshakeValue?: string) {
		this.#issuers = issuers;
		this.#handshakeValue = handshakeValue;
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
		const issuer = this.#issuerOf(this.#handshakeValue);
		if (issuer !== undefined) {
			return issuer !== accountId;
		}

		return this.#decided && accountId !== this.#header;
	}

	/** Whether `body` must go to `accountId` without the turn state in its `client_metadata`. */
	frameForeignTo(accountId: string, body: Record<string, unknown>): boolean {
		const value = turnStateOf(body);
		if (value === undefined) {
			return false;
		}

		const issuer = this.#issuerOf(value);
		return issuer === undefined ? accountId !== this.#frame : issuer !== accountId;
	}

	/**
	`frameForeignTo` read from a frame's bytes before it is parsed (early-send.ts): the value between the quotes
	after the one `"x-codex-turn-state":`. When in doubt (the name twice, another form, an escape), true.
	*/
	rawFrameForeignTo(accountId: string, frame: Buffer): boolean {
		const at = frame.indexOf(TURN_STATE);
		if (at === -1) {
			return false;
		}

		const start = at - 1 + RAW_KEY.length;
		const end = frame.indexOf(0x22, start);
		if (
			frame.indexOf(TURN_STATE, at + TURN_STATE.length) !== -1 ||
			frame.toString('latin1', at - 1, start) !== RAW_KEY ||
			end === -1 ||
			frame.subarray(start, end).includes(0x5c)
		) {
			return true;
		}

		const issuer = this.#issuerOf(frame.toString('utf8', start, end));
		return issuer === undefined ? accountId !== this.#frame : issuer !== accountId;
	}

	#issuerOf(value: string | undefined): string | undefined {
		return value === undefined || value === '' ? undefined : this.#issuers.issuerOf(value);
	}
}

/** The turn state Codex copied into a frame's `client_metadata`, if any. */
export function turnStateOf(body: Record<string, unknown>): string | undefined {
	const metadata = body.client_metadata;
	if (typeof metadata !== 'object' || metadata === null) {
		return undefined;
	}

	const value = (metadata as Record<string, unknown>)[TURN_STATE];
	return typeof value === 'string' ? value : undefined;
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
