import type {RequestLogEntry} from '../model.ts';
import type {RelayDeps} from './relay-deps.ts';

/** What the relay knows of one `response.create` when it ends. */
export type RequestFacts = {
	readonly accountId: string | undefined;
	readonly model: unknown;
	readonly status: number;
	/** performance.now() when the frame arrived. */
	readonly started: number;
	/** performance.now() when the first frame of the answer went to the client. */
	readonly firstEventAt: number | undefined;
	readonly usage: {readonly inputTokens: number; readonly outputTokens: number} | undefined;
	readonly failedOver: readonly string[];
	readonly error: string | undefined;
};

/** The request-log entry of one `response.create` frame: the same shape as an HTTP request's. */
export function requestEntry(
	deps: Pick<RelayDeps, 'nextRequestId' | 'clock'>,
	facts: RequestFacts & {readonly sessionId: string | undefined; readonly path: string},
): RequestLogEntry {
	return {
		id: deps.nextRequestId(),
		at: deps.clock.now(),
		sessionId: facts.sessionId,
		accountId: facts.accountId,
		path: facts.path,
		model: typeof facts.model === 'string' ? facts.model : undefined,
		status: facts.status,
		ttfbMs: facts.firstEventAt === undefined ? undefined : facts.firstEventAt - facts.started,
		durationMs: performance.now() - facts.started,
		inputTokens: facts.usage?.inputTokens ?? 0,
		outputTokens: facts.usage?.outputTokens ?? 0,
		failedOver: facts.failedOver,
		error: facts.error,
		transport: 'websocket',
	};
}

/** The pool's events of one request that ended on `accountId`: its session's move, and each failover on the way. */
export function emitMoves(
	deps: Pick<RelayDeps, 'events' | 'clock'>,
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
	const {events, clock} = deps;
	const {sessionId, from, to} = move;
	if (from !== undefined && from !== to) {
		events.emit('move', {at: clock.now(), sessionId, from, to, reason: move.reason});
	}

	for (const failed of move.failedOver) {
		events.emit('failover', {at: clock.now(), sessionId, from: failed, reason: move.failure ?? 'failed'});
	}
}
