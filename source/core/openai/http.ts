import {once} from 'node:events';
import type {ServerResponse} from 'node:http';

/** Starts an SSE answer. */
export function startSse(res: ServerResponse): void {
	res.writeHead(200, {
		'content-type': 'text/event-stream; charset=utf-8',
		'cache-control': 'no-cache',
		connection: 'keep-alive',
	});
	res.flushHeaders();
}

/** Writes to the client, waiting for `drain` when its buffer is full; false once the client is gone. */
export async function write(res: ServerResponse, text: string): Promise<boolean> {
	if (res.destroyed || res.writableEnded) {
		return false;
	}

	if (!res.write(text)) {
		await Promise.race([once(res, 'drain'), once(res, 'close')]);
	}

	return !res.destroyed;
}
