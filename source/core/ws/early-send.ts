import WebSocket from 'ws';
import {startsWith} from './frames.ts';

const CREATE_PREFIX = Buffer.from('{"type":"response.create"');
const PREVIOUS_KEY = 'previous_response_id';

/** What the relay knows before it reads a frame. */
export type EarlySendState = {
	/** The session's account (undefined before the first request). */
	readonly home: string | undefined;
	/** Why the session must leave it, asked without the body (only a compaction item could keep it). */
	readonly leaveReason: (home: string) => string | undefined;
	readonly upstream:
		| {readonly socket: WebSocket; readonly accountId: string; readonly openedAt: number}
		| undefined;
	readonly maxAgeMs: number;
	readonly now: number;
	/** The latest response of the connection, and whether the current socket produced it. */
	readonly responseId: string | undefined;
	readonly chainsHere: boolean;
	/** Whether the frame carries a turn state `home` did not issue (read from its bytes, true when in doubt). */
	readonly turnStateForeign: boolean;
};

/**
Whether a `response.create` can go upstream before the pool parses it (the time to first event then carries no
parse): the session stays on its account, on the open socket that served the previous response, and the frame
carries nothing the pool would change (an encrypted item, a turn state of another account). Every condition is
read from the bytes or is one the full decision afterwards reaches the same way; when in doubt, false.
*/
export function sendsEarly(frame: Buffer, state: EarlySendState): boolean {
	const {home, upstream} = state;
	if (
		home === undefined ||
		upstream === undefined ||
		upstream.accountId !== home ||
		upstream.socket.readyState !== WebSocket.OPEN ||
		state.now - upstream.openedAt >= state.maxAgeMs ||
		!startsWith(frame, CREATE_PREFIX) ||
		state.leaveReason(home) !== undefined ||
		frame.includes('"encrypted_content"') ||
		state.turnStateForeign
	) {
		return false;
	}

	// Chained from the latest response, on the socket that produced it (the only key of that name: items hold none).
	const key = frame.indexOf(PREVIOUS_KEY);
	if (key === -1) {
		return true;
	}

	if (frame.indexOf(PREVIOUS_KEY, key + PREVIOUS_KEY.length) !== -1 || !state.chainsHere) {
		return false;
	}

	const expected = `"${PREVIOUS_KEY}":${JSON.stringify(state.responseId ?? null)}`;
	return frame.toString('utf8', key - 1, key - 1 + Buffer.byteLength(expected)) === expected;
}
