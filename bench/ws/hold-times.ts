import WebSocket from 'ws';

/** How long a child held frames: from a frame's arrival (its `message` event) to the next send the other way. */
export type HoldTimes = {
	/** ms from a client's frame to the next frame sent upstream (the pool's reading and choosing). */
	readonly up: number[];
	/** ms from an upstream frame to the next frame sent to a client (the pool's reading of the stream). */
	readonly down: number[];
};

/**
Times, inside a bench child, what the time to first event cannot isolate on a shared machine: the work between a
frame's arrival and its relay. Patches the `ws` prototype in that child only (`message` is emitted through `emit`,
every frame leaves through `send`); requests must go one at a time for the pairs to be right, as in the loop
phase, which alone turns the tracing on. The `ws` work before `message` (reading, unmasking, UTF-8 checks) is left
out: any relay pays it.
*/
export function traceHoldTimes() {
	let times: HoldTimes = {up: [], down: []};
	let on = false;
	let fromClientAt: number | undefined;
	let fromUpstreamAt: number | undefined;
	type Traced = WebSocket & {readonly _isServer: boolean};
	const {emit, send} = WebSocket.prototype;
	WebSocket.prototype.emit = function (this: Traced, event: string | symbol, ...args: unknown[]) {
		if (on && event === 'message') {
			if (this._isServer) {
				fromClientAt = performance.now();
			} else {
				fromUpstreamAt = performance.now();
			}
		}

		return emit.call(this, event, ...args);
	};
	WebSocket.prototype.send = function (this: Traced, ...args: unknown[]) {
		if (on) {
			const now = performance.now();
			if (this._isServer && fromUpstreamAt !== undefined) {
				times.down.push(now - fromUpstreamAt);
				fromUpstreamAt = undefined;
			} else if (!this._isServer && fromClientAt !== undefined) {
				times.up.push(now - fromClientAt);
				fromClientAt = undefined;
			}
		}

		(send as (...sent: unknown[]) => void).apply(this, args);
	};
	return {
		/** Starts or stops the tracing (the times so far are kept). */
		trace(value: boolean) {
			on = value;
			fromClientAt = undefined;
			fromUpstreamAt = undefined;
		},
		/** The times so far, forgotten here. */
		take(): HoldTimes {
			const taken = times;
			times = {up: [], down: []};
			return taken;
		},
	};
}
