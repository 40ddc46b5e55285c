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
