import type {WebSocket} from 'ws';

/**
What tests see and steer of the simulated upstream's WebSocket mode (`upstream.websockets`): how upgrades are
answered, injected misbehaviour, and a record of every connection and request frame (to verify that a client
or the pool sends incremental requests: items per request, previous_response_id, bytes per frame).
*/

/**
Behaviours a test can inject into the next matching `response.create` (generating ones; warm-ups are never hit):
- `stream_cut`: `response.created` and half the events go out, then the TCP socket is destroyed (no close frame);
- `close_1011`: the same, then a close frame 1011 (as after a keepalive timeout);
- `usage_limit_midstream`: half the events, then a terminal `response.failed` saying the usage limit has been
  reached; the account's five-hour window is used up from then on (the third way exhaustion shows);
- `usage_limit_frame`: the account's five-hour window is used up and the request gets the 429 error frame, as an
  account exhausted at request time would (the handshake had let it in);
- `usage_limit_frame_midstream`: half the events, then that 429 error frame (the account's five-hour window used up
  from then on): the error frame after output has reached the client;
- `connection_limit`: the `websocket_connection_limit_reached` error, whatever the connection's age;
- `forget`: the connection drops the response it holds first (as a backend restart would), so a request naming it
  gets `previous_response_not_found`;
- `error_frame`: an error frame with `status` (default 500) instead of a response.
*/
export type WsBehaviourKind =
	| 'stream_cut'
	| 'close_1011'
	| 'usage_limit_midstream'
	| 'usage_limit_frame'
	| 'usage_limit_frame_midstream'
	| 'connection_limit'
	| 'forget'
	| 'error_frame';

export const WS_BEHAVIOUR_KINDS: readonly WsBehaviourKind[] = [
	'stream_cut',
	'close_1011',
	'usage_limit_midstream',
	'usage_limit_frame',
	'usage_limit_frame_midstream',
	'connection_limit',
	'forget',
	'error_frame',
];

export type WsBehaviourSpec = {
	readonly kind: WsBehaviourKind;
	/** Only requests on connections authorised as this account (name or `chatgpt_account_id`). */
	readonly account?: string;
	/** How many requests it strikes (default 1). */
	readonly times?: number;
	/** Matching requests to let through first (default 0), e.g. 2 strikes the third request of a tool loop. */
	readonly skip?: number;
	/** For `error_frame`: the status (401, 429, 500, 503...; default 500). */
	readonly status?: number;
	/** For `usage_limit_midstream`: the terminal event's error carries no `resets_at`. */
	readonly withoutReset?: boolean;
};

export type WsBehaviourHandle = {
	readonly id: number;
	readonly fired: () => number;
	readonly cancel: () => void;
};

/** One `response.create` frame and what became of it. */
export type WsRequestRecord = {
	/** Clock ms at arrival. */
	readonly at: number;
	/** Bytes of the frame's payload as received. */
	readonly bytes: number;
	/** Bytes of the frame's `input` (JSON): the conversation part, which is what grows. */
	readonly inputBytes: number;
	/** false for a warm-up (`generate: false`). */
	readonly generate: boolean;
	readonly previousResponseId: string | undefined;
	/** Items in the frame's `input`. */
	readonly items: number;
	/** Items of the whole conversation the response answered (held input + output + the frame's items). */
	fullItems: number;
	responseId: string | undefined;
	outcome: 'pending' | 'completed' | 'error' | 'failed' | 'cut' | 'closed';
	/** The error frame's status and code, for outcome `error`. */
	status: number | undefined;
	errorCode: string | undefined;
};

/** One accepted WebSocket connection, open or closed. */
export type WsConnectionRecord = {
	readonly id: number;
	/** Name of the account the handshake authenticated. */
	readonly account: string;
	/** Clock ms of the handshake (the 60-minute limit counts from here). */
	readonly openedAt: number;
	/** Handshake headers, lower-case, authorization redacted. */
	readonly headers: Readonly<Record<string, string | string[] | undefined>>;
	/** The turn state its upgrade response carried, and the one each of its responses' `response.metadata` does. */
	readonly turnStates: {readonly upgrade: string; readonly responses: string};
	closedAt: number | undefined;
	/** Close code as seen by the server (1006 when the socket went away without a close frame). */
	closeCode: number | undefined;
	/** Every text frame received, `response.create` or not. */
	framesReceived: number;
	bytesReceived: number;
	readonly requests: WsRequestRecord[];
};

/** How upgrades on the responses path are answered: accepted, or refused with an HTTP status (426, 400, 500…). */
export type WsUpgradeAnswer = 'accept' | number;

export type SimulatedWebSocketsApi = {
	/** Default 'accept'. 426 makes Codex use HTTP at once; other statuses make it retry, then fall back. */
	upgrade: WsUpgradeAnswer;
	/** Clock ms a connection may live (default 60 minutes); past it, a request gets `websocket_connection_limit_reached`. */
	connectionLimitMs: number;
	/** Check the access token on every request, not only at the handshake (default false: no known re-check). */
	checkTokenPerRequest: boolean;
	inject: (spec: WsBehaviourSpec) => WsBehaviourHandle;
	clearBehaviours: () => void;
	/** Connections, oldest first (the last 500 are kept). */
	connections: () => readonly WsConnectionRecord[];
	/** Connections open now. */
	openCount: () => number;
	/** Closes every open connection with `code` (default 1001). */
	closeAll: (code?: number, reason?: string) => void;
};

type ActiveBehaviour = {id: number; spec: WsBehaviourSpec; skip: number; remaining: number; fired: number};

/** The hub the upgrade handler and the sessions share. */
export type WebSocketHub = {
	readonly api: SimulatedWebSocketsApi;
	/** Registers an accepted connection. */
	open: (socket: WebSocket, record: WsConnectionRecord) => void;
	/** The behaviour (if any) for a request as this account; consumes one use. */
	take: (account: {name: string; accountId: string}) => WsBehaviourSpec | undefined;
	nextId: () => number;
	/** Terminates every socket (the server is closing). */
	terminateAll: () => void;
};

const KEPT_CONNECTIONS = 500;

export function createWebSocketHub(): WebSocketHub {
	const open = new Map<WebSocket, WsConnectionRecord>();
	const records: WsConnectionRecord[] = [];
	let behaviours: ActiveBehaviour[] = [];
	let ids = 1;
	let behaviourIds = 1;

	const api: SimulatedWebSocketsApi = {
		upgrade: 'accept',
		connectionLimitMs: 60 * 60_000,
		checkTokenPerRequest: false,
		inject(spec) {
			if (!WS_BEHAVIOUR_KINDS.includes(spec.kind)) {
				throw new Error(
					`Unknown WebSocket behaviour "${spec.kind}"; known: ${WS_BEHAVIOUR_KINDS.join(', ')}.`,
				);
			}

			const behaviour: ActiveBehaviour = {
				id: behaviourIds++,
				spec,
				skip: spec.skip ?? 0,
				remaining: spec.times ?? 1,
				fired: 0,
			};
			behaviours.push(behaviour);
			return {
				id: behaviour.id,
				fired: () => behaviour.fired,
				cancel() {
					behaviours = behaviours.filter((other) => other !== behaviour);
				},
			};
		},
		clearBehaviours() {
			behaviours = [];
		},
		connections: () => records,
		openCount: () => open.size,
		closeAll(code = 1001, reason = 'going away') {
			for (const socket of open.keys()) {
				socket.close(code, reason);
			}
		},
	};

	return {
		api,
		open(socket, record) {
			open.set(socket, record);
			records.push(record);
			if (records.length > KEPT_CONNECTIONS) {
				records.splice(0, records.length - KEPT_CONNECTIONS);
			}

			socket.once('close', () => open.delete(socket));
		},
		take(account) {
			for (const behaviour of behaviours) {
				const {spec} = behaviour;
				if (
					spec.account !== undefined &&
					spec.account !== account.name &&
					spec.account !== account.accountId
				) {
					continue;
				}

				if (behaviour.skip > 0) {
					behaviour.skip--;
					continue;
				}

				behaviour.remaining--;
				behaviour.fired++;
				if (behaviour.remaining <= 0) {
					behaviours = behaviours.filter((other) => other !== behaviour);
				}

				return spec;
			}

			return undefined;
		},
		nextId: () => ids++,
		terminateAll() {
			for (const socket of open.keys()) {
				socket.terminate();
			}
		},
	};
}
