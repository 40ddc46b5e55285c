import {connect} from 'node:net';

/** Two accounts whose quota these tests never exhaust by accident. */
export const reliabilityAccounts = [
	{name: 'alpha', fiveHourLimit: 1e9},
	{name: 'beta', fiveHourLimit: 1e9},
];

/** Sends raw bytes to a server and resolves with everything it answered before closing (or `waitMs`). */
export function rawExchange(url: string, bytes: string | Buffer, waitMs = 2000): Promise<string> {
	const {hostname, port} = new URL(url);
	return new Promise((resolve) => {
		const socket = connect(Number(port), hostname);
		let answer = '';
		const done = () => {
			clearTimeout(timer);
			socket.destroy();
			resolve(answer);
		};

		const timer = setTimeout(done, waitMs);
		socket.on('data', (chunk) => {
			answer += chunk.toString('latin1');
		});
		socket.on('end', done);
		socket.on('close', done);
		socket.on('error', done);
		socket.write(bytes);
	});
}

/** The status and JSON body of a raw HTTP/1.1 answer (undefined body when it is not JSON). */
export function parseRawAnswer(answer: string): {status: number; body: unknown} {
	const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1] ?? 0);
	const text = answer.slice(answer.indexOf('\r\n\r\n') + 4);
	try {
		return {status, body: JSON.parse(text) as unknown};
	} catch {
		return {status, body: undefined};
	}
}

/** The message of a JSON error body in any of the shapes the pool answers with. */
export function errorMessage(body: unknown): string | undefined {
	const value = body as {error?: {message?: unknown}; message?: unknown; ok?: unknown} | undefined;
	if (typeof value?.error?.message === 'string' && value.error.message !== '') {
		return value.error.message;
	}

	if (value?.ok === false && typeof value.message === 'string' && value.message !== '') {
		return value.message;
	}

	return undefined;
}
