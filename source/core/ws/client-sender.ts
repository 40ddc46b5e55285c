import WebSocket from 'ws';

/** Bytes waiting for a client above which its upstream socket pauses, and below which it resumes. */
const HIGH_WATER = 4 * 1024 * 1024;
const LOW_WATER = 1024 * 1024;

/**
Sends frames to a client socket: backend-only frames (`codex.*`) only when the client reads them, nothing once
it is closed, and with backpressure: a client that reads slowly pauses the upstream socket feeding it rather
than growing the pool's buffer.
*/
export function clientSender(
	client: WebSocket,
	backendFrames: boolean,
	upstream: () => WebSocket | undefined,
): (text: string) => void {
	return (text) => {
		if (client.readyState !== WebSocket.OPEN) {
			return;
		}

		if (!backendFrames && text.startsWith('{"type":"codex.')) {
			return;
		}

		const source = upstream();
		client.send(text, () => {
			if (source?.isPaused === true && client.bufferedAmount < LOW_WATER) {
				source.resume();
			}
		});
		if (client.bufferedAmount > HIGH_WATER && source !== undefined && !source.isPaused) {
			source.pause();
		}
	};
}
