import type {Duplex} from 'node:stream';
import type WebSocket from 'ws';
import type {RelayDeps} from './relay-deps.ts';
import type {OpenedUpstream} from './upstream-open.ts';

/** One client connection's relay: its socket, its handshake, and what its front door does to its frames. */
export type RelayOptions = {
	readonly deps: RelayDeps;
	readonly client: WebSocket;
	/** The client's handshake headers (lower-case names). */
	readonly headers: Readonly<Record<string, string | undefined>>;
	readonly clientName: string;
	/** The upstream socket opened at the client's handshake, if any. */
	readonly initial?: OpenedUpstream | undefined;
	/** The request log's path for this front door. */
	readonly path: string;
	/**
	Turns a client's `response.create` into the backend's body (the `/v1` front door normalises it); throws an
	error with `status` and `error` to refuse it.
	*/
	readonly prepare?: (body: Record<string, unknown>) => Promise<Record<string, unknown>>;
	/** Whether backend-only frames (`codex.rate_limits`, `codex.response.metadata`) go to the client. */
	readonly backendFrames: boolean;
	/** The client's TCP (or TLS) socket: the frames of one event-loop turn are written to it at once. */
	readonly transport?: Duplex;
};
