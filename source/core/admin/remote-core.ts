import {EventEmitter} from 'node:events';
import {request} from 'undici';
import type {ActionResult, Core, CoreEvents, CoreSnapshot, Notice} from '../contract.ts';
import {createSseParser} from '../sse/parse.ts';

export type RemoteCoreOptions = {
	/** The daemon's base URL, e.g. `http://127.0.0.1:4455`. */
	readonly url: string;
	readonly adminToken?: string | undefined;
};

/**
A `Core` that shows a running daemon: the snapshot and events come from its `GET /api/events` stream and
the actions are its `POST /api/...` calls. The views cannot tell it from the embedded core. If the daemon
goes away, the last snapshot stays on screen with a notice, and the stream reconnects.
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

	const publish = (next: CoreSnapshot) => {
		snapshot = {...next, mode: 'attached'};
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

	const connect = async (): Promise<void> => {
		const parser = createSseParser();
		const {statusCode, body} = await request(`${base}/api/events`, {headers, signal: abort.signal});
		if (statusCode !== 200) {
			const text = await body.text();
			throw new Error(
				`The daemon at ${base} refused to stream its state (${statusCode}): ${text.slice(0, 200)}`,
			);
		}

		for await (const chunk of body) {
			for (const event of parser.push(chunk as Buffer)) {
				const data: unknown = JSON.parse(event.data);
				if (event.event === 'state') {
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
		let delay = 250;
		while (!stopped) {
			try {
				await connect();
				delay = 250;
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

			localNotice(`Lost the connection to the daemon at ${base}; reconnecting.`);
			await new Promise((resolve) => setTimeout(resolve, delay));
			delay = Math.min(delay * 2, 5000);
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
			abort.abort();
			listeners.clear();
		},
	};
}
