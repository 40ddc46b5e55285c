import type {Clock} from '../clock.ts';
import type {InFlightCount} from '../http/in-flight.ts';
import type {Pool} from '../pool/pool.ts';
import type {AccountChoice} from '../proxy/account-choice.ts';
import type {Emitter, ProxyEvents} from '../proxy/events.ts';
import type {TokenSource, UpstreamBase} from '../proxy/upstream-client.ts';
import type {IssuerRegistry} from '../sessions/issuers.ts';
import type {SessionRegistry} from '../sessions/registry.ts';

/** What every relay shares: the pool's state and the same choice, observers and events as the HTTP path. */
export type RelayDeps = {
	readonly pool: Pool;
	readonly sessions: SessionRegistry;
	readonly issuers: IssuerRegistry;
	readonly tokens: TokenSource;
	readonly choice: AccountChoice;
	readonly upstream: UpstreamBase;
	readonly clock: Clock;
	readonly events: Emitter<ProxyEvents>;
	/** `--wait-up-to`, clock ms. */
	readonly waitUpToMs?: number | undefined;
	/**
	Reopen an upstream socket older than this (clock ms) at the next request boundary, before the backend's
	60-minute limit cuts it. Default 55 minutes.
	*/
	readonly maxSocketAgeMs?: number | undefined;
	/** The pool's one count of turns in flight (`/healthz`, status), which each `response.create` joins. */
	readonly inFlight?: InFlightCount;
	/** Numbers each request-log entry; shared with nothing else, so entries of sockets do not collide. */
	readonly nextRequestId: () => string;
};
