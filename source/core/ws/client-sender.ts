import type {Duplex} from 'node:stream';
import WebSocket from 'ws';

/** Bytes waiting for a client above which its upstream socket pauses, and below which it resumes. */
const HIGH_WATER = 4 * 1024 * 1024;
const LOW_WATER = 1024 * 1024;
/** A Buffer from the upstream goes out as the text frame it came as. */
const TEXT = {binary: false} as const;

/** Sends one frame: the upstream's bytes untouched (a Buffer goes out as a text frame) or a text of the pool's. */
export type ToClient = (frame: Buffer | string, type?: string) => void;

/**
Sends frames to a client socket: backend-only frames (`codex.*`, `response.metadata`) only when the client
reads them, nothing once it is closed, and with backpressure: a client that reads slowly pauses the upstream
socket feeding it rather than growing the pool's buffer.

`transport` is the client's TCP (or TLS) socket: the frames sent in one turn of the event loop (the upstream
delivers a stream's events several to a packet) are corked into one write, instead of one system call each.
*/
export function clientSender(
	client: WebSocket,
	backendFrames: boolean,
	upstream: () => WebSocket | undefined,
	transport?: Duplex,
): ToClient {
	let corked = false;
	const uncork = () => {
		corked = false;
		transport?.uncork();
	};
	// One callback for every frame (none is made per frame): a paused upstream resumes once the client drained.
	const sent = () => {
		const source = upstream();
		if (source?.isPaused === true && client.bufferedAmount < LOW_WATER) {
			source.resume();
		}
	};

	return (frame, type) => {
		if (client.readyState !== WebSocket.OPEN) {
			return;
		}

		if (!backendFrames && isBackendFrame(frame, type)) {
			return;
		}

		if (transport !== undefined && !corked) {
			corked = true;
			transport.cork();
			process.nextTick(uncork);
		}

		client.send(frame, TEXT, sent);
		if (client.bufferedAmount > HIGH_WATER) {
			const source = upstream();
			if (source !== undefined && !source.isPaused) {
				source.pause();
			}
		}
	};
}

/** The ChatGPT backend's own frames: `codex.*`, and `response.metadata` (which the openai SDK does not know). */
function isBackendFrame(frame: Buffer | string, type: string | undefined): boolean {
	if (type !== undefined) {
		return type.startsWith('codex.') || type === METADATA;
	}

	const start = typeof frame === 'string' ? frame.slice(0, 28) : frame.toString('latin1', 0, 28);
	return start.startsWith('{"type":"codex.') || start.startsWith(`{"type":"${METADATA}"`);
}

const METADATA = 'response.metadata';
