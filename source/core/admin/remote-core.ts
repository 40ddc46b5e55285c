import {EventEmitter} from 'node:events';
import {request} from 'undici';
import type {ActionResult, Core, CoreEvents, CoreSnapshot, Notice} from '../contract.ts';
import {createSseParser} from '../sse/parse.ts';

/** Silence on the daemon's event stream (which sends a keep-alive every second) that counts as the daemon gone. */
export const DAEMON_SILENCE_MS = 3000;

/** The longest wait between two attempts to reach a daemon that went away (so it re-attaches soon after it is back). */
const MAX_RECONNECT_DELAY_MS = 2000;

export type RemoteCoreOptions = {
	/** The daemon's base URL, e.g. `http://127.0.0.1:4455`. */
	readonly url: string;
	readonly adminToken?: string | undefined;
};

/**
A `Core` that shows a running daemon: the snapshot and events come from its `GET /api/events` stream and
the actions are its `POST /api/...` calls. The views cannot tell it from the embedded core. If the daemon
goes away (its stream ends or resets, or stays silent for 3 s), the snapshot says since when it is unreachable
(`daemonUnreachableSince`), a notice says so, and the stream reconnects; the daemon's next state clears it.
*/
export async function createRemoteCore({url, adminToken}: RemoteCoreOptions): Promise<Core> {
	const base = url.replace(/\/+$/, '');
	const headers = adminToken === undefined ? {} : {authorization: `Bearer ${adminToken}`};
	const emitter = new EventEmitter<CoreEvents>();
	const listeners = new Set<() => void>();
	let snapshot: CoreSnapshot | undefined;
	let stopped = false;
	let abort = new AbortController();
	let resolveFirst: (() => void) | undefined;
	let rejectFirst: ((error: Error) => void) | undefined;
	const first = new Promise<void>((resolve, reject) => {
		resolveFirst = resolve;
		rejectFirst = reject;
	});

	let unreachableSince: number | undefined;
	// The wait before the next attempt to reach the daemon; back to the shortest once it sends its state again.
	let delay = 250;
	const publish = (next: CoreSnapshot) => {
		snapshot = {...next, mode: 'attached', daemonUnreachableSince: unreachableSince};
		for (const listener of listeners) {
			listener();
		}
	};

	const localNotice = (message: string) => {
		if (snapshot === undefined) {
			return;
		}

		const notice: Notice = {id: `remote-${Date.now()}`, at: snapshot.now, level: 'error', message};
		publish({...snapshot, notices: [notice, ...snapshot.notices]});
	};

	// The daemon writes at least a keep-alive comment every second: 3 s of silence means it is gone (killed,
	// stopped, or its machine asleep), even when no connection reset arrives.
	let watchdog: NodeJS.Timeout | undefined;
	const feedWatchdog = (connection: AbortController) => {
		clearTimeout(watchdog);
		watchdog = setTimeout(() => connection.abort(new Error('The daemon went silent.')), DAEMON_SILENCE_MS);
		watchdog.unref();
	};

	const connect = async (): Promise<void> => {
		const parser = createSseParser();
		const connection = abort;
		feedWatchdog(connection);
		const {statusCode, body} = await request(`${base}/api/events`, {headers, signal: connection.signal});
		if (statusCode !== 200) {
			const text = await body.text();
			throw new Error(
				`The daemon at ${base} refused to stream its state (${statusCode}): ${text.slice(0, 200)}`,
			);
		}

		for await (const chunk of body) {
			feedWatchdog(connection);
			for (const event of parser.push(chunk as Buffer)) {
				const data: unknown = JSON.parse(event.data);
				if (event.event === 'state') {
					unreachableSince = undefined;
					delay = 250;
					publish(data as CoreSnapshot);
					resolveFirst?.();
				} else if (
					event.event === 'request' ||
					event.event === 'move' ||
					event.event === 'kick' ||
					event.event === 'notice'
				) {
					(emitter.emit as (name: string, payload: unknown) => boolean)(event.event, data);
				}
			}
		}
	};

	const run = async () => {
		while (!stopped) {
			try {
				await connect();
			} catch (error) {
				if (stopped) {
					return;
				}

				if (snapshot === undefined) {
					rejectFirst?.(error instanceof Error ? error : new Error(String(error)));
					return;
				}
			}

			if (stopped) {
				return;
			}

			if (unreachableSince === undefined && snapshot !== undefined) {
				unreachableSince = Date.now();
				publish(snapshot);
				localNotice(`Lost the connection to the daemon at ${base}; reconnecting.`);
			}

			await new Promise((resolve) => setTimeout(resolve, delay));
			delay = Math.min(delay * 2, MAX_RECONNECT_DELAY_MS);
			abort = new AbortController();
		}
	};

	void run();
	await first;

	const post = async (path: string, body: unknown = {}): Promise<ActionResult> => {
		try {
			const answer = await request(`${base}${path}`, {
				method: 'POST',
				headers: {...headers, 'content-type': 'application/json'},
				body: JSON.stringify(body),
			});
			const result = (await answer.body.json()) as Partial<ActionResult> & {error?: {message?: string}};
			return {
				ok: result.ok === true,
				message: result.message ?? result.error?.message ?? `The daemon answered ${answer.statusCode}.`,
				...(result.badInput === true && {badInput: true}),
			};
		} catch (error) {
			return {ok: false, message: `Could not reach the daemon at ${base}: ${(error as Error).message}`};
		}
	};

	const account = (action: string) => async (name: string) =>
		post(`/api/accounts/${encodeURIComponent(name)}/${action}`);

	return {
		subscribe(listener) {
			listeners.add(listener);
			return () => listeners.delete(listener);
		},
		getSnapshot: () => snapshot!,
		on(event, listener) {
			emitter.on(event, listener as never);
			return () => emitter.off(event, listener as never);
		},
		pin: account('pin'),
		unpin: account('unpin'),
		drain: account('drain'),
		evict: account('evict'),
		restore: account('restore'),
		setCaps: async (name, caps) =>
			post(`/api/accounts/${encodeURIComponent(name)}/caps`, caps === undefined ? {off: true} : caps),
		kick: account('kick'),
		setStrategy: async (name, options) =>
			post('/api/strategy', options === undefined ? {name} : {name, options}),
		setScheduler: async (change) => post('/api/scheduler', change),
		refreshUsage: async (name) => post('/api/usage/refresh', name === undefined ? {} : {account: name}),
		async stop() {
			stopped = true;
			clearTimeout(watchdog);
			abort.abort();
			listeners.clear();
		},
	};
}
