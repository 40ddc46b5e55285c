import {mkdtempSync, rmSync} from 'node:fs';
import {connect} from 'node:net';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {type EmbeddedCore, startEmbeddedCore} from '../../source/core/core.ts';
import {importSimulatedAccounts} from '../../source/core/demo/seed-home.ts';
import type {SimulatedUpstreamOptions} from '../../source/core/simulated-backend/index.ts';
import {openStore, type Store} from '../../source/core/store/store.ts';
import type {Settings} from '../../source/core/store/types.ts';
import {type FaultyUpstream, startFaultyUpstream} from '../helpers/faults.ts';

/** A simulated upstream, a home seeded with its accounts, and the whole pool on top, in this process. */
export type CoreRig = {
	readonly upstream: FaultyUpstream;
	readonly store: Store;
	readonly core: EmbeddedCore;
	readonly home: string;
	/** Upstream requests that are not the background's usage polls: what clients caused. */
	readonly clientTraffic: () => number;
	readonly close: () => Promise<void>;
};

export async function startCoreRig(
	options: {settings?: Partial<Settings>; upstream?: SimulatedUpstreamOptions} = {},
): Promise<CoreRig> {
	const upstream = await startFaultyUpstream({
		accounts: [
			{name: 'alpha', fiveHourLimit: 1e9},
			{name: 'beta', fiveHourLimit: 1e9},
		],
		...options.upstream,
	});
	const home = mkdtempSync(path.join(tmpdir(), 'codexpool-reliability-'));
	const store = openStore(home);
	importSimulatedAccounts(store, upstream, Date.now());
	// No kicks: every request the upstream sees then comes from a client or the usage poll.
	store.setSettings({
		scheduler: {...store.getSettings().scheduler, enabled: false},
		...options.settings,
	});
	const core = await startEmbeddedCore({
		store,
		upstream: upstream.backendUrl,
		issuer: upstream.issuerUrl,
		port: 0,
		watchStore: false,
	});
	return {
		upstream,
		store,
		core,
		home,
		clientTraffic: () =>
			upstream.log.filter((entry) => !entry.path.startsWith('/backend-api/wham/usage')).length,
		async close() {
			await core.stop();
			await upstream.close();
			rmSync(home, {recursive: true, force: true});
		},
	};
}

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
