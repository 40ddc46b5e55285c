import type {Interception, PlannedStream} from './intercept.ts';
import {errorFrame, sseToJson} from './ws-frames.ts';

/**
The intercept hook (intercept.ts) over WebSocket: the same faults as on `POST …/responses`, in the mode's terms.
An answer in the backend's place is an error frame with its status, error and headers (how the backend wraps
errors there); a cut connection before any status is the socket destroyed before any frame; a rewritten stream
goes out as frames, and one that ends without a terminal event closes the socket (1011), the only way a
WebSocket stream can end early.
*/
export type WsInterceptPlan =
	| {readonly kind: 'error'; readonly frame: string}
	| {readonly kind: 'reset'}
	| {
			readonly kind: 'stream';
			/** The frames to send after `codex.rate_limits`. */
			readonly frames: readonly string[];
			/** How the stream ends: completed as planned, with another terminal event, or with the socket cut/closed. */
			readonly ending: 'completed' | 'terminal' | 'reset' | 'close';
	  };

/** What comes before the answer: an error frame instead, or a cut socket; undefined lets the backend answer. */
export function interceptBeforeFrames(interception: Interception): WsInterceptPlan | undefined {
	if (interception.answer !== undefined) {
		const {status, body, headers} = interception.answer;
		const wrapped = (body as {error?: unknown}).error;
		const error = (typeof wrapped === 'object' && wrapped !== null ? wrapped : body) as Record<
			string,
			unknown
		>;
		return {kind: 'error', frame: errorFrame(status, error, headers)};
	}

	if (interception.reset === true) {
		return {kind: 'reset'};
	}

	return undefined;
}

const TERMINAL = /^\{"type":"(response\.failed|response\.incomplete|error)"/;

/** The planned stream as rewritten by the interception, as frames. */
export function interceptStream(
	rewrite: NonNullable<Interception['stream']>,
	planned: PlannedStream,
): WsInterceptPlan {
	const plan = rewrite(planned);
	const frames = [plan.head, ...plan.rest].map(sseToJson);
	const last = frames.at(-1) ?? '';
	const ending =
		plan.ending === 'reset'
			? 'reset'
			: plan.rest.at(-1) === planned.completed
				? 'completed'
				: TERMINAL.test(last)
					? 'terminal'
					: 'close';
	return {kind: 'stream', frames, ending};
}
