import net from 'node:net';
import {type DaemonInfo, findDaemon, removeDaemonInfo, writeDaemonInfo} from '../admin/daemon-file.ts';
import {assertBindAllowed, type EmbeddedCore, startEmbeddedCore} from '../core.ts';
import type {Store} from '../store/store.ts';
import {type TlsOption, tlsPortFor} from '../tls/listener-option.ts';

export type DaemonOptions = {
	readonly home: string;
	/** The home's store, opened by the caller (so a damaged store is reported before anything starts). */
	readonly store: Store;
	readonly host: string;
	/** 0 picks a free port (tests). */
	readonly port: number;
	readonly waitUpToMs?: number | undefined;
	/** Default `$CODEXPOOL_UPSTREAM` (read by the core). */
	readonly upstream?: string | undefined;
	/** Default `$CODEXPOOL_AUTH_ISSUER` (read by the core). */
	readonly issuer?: string | undefined;
	/** The HTTPS listener on 127.0.0.1 (Codex's built-in provider; source/core/tls). */
	readonly tls?: TlsOption | undefined;
	/** The command that starts it, for advice in messages: `serve` (default), or `` for the control center. */
	readonly command?: string | undefined;
};

export type RunningDaemon = {
	readonly core: EmbeddedCore;
	readonly info: DaemonInfo;
	/**
	Removes daemon.json, then stops the core: streams in flight get up to `graceMs` (less if `hurry` aborts),
	then those still running end with their protocol's last event. Safe to call twice.
	*/
	readonly stop: (graceMs?: number, hurry?: AbortSignal) => Promise<void>;
};

/** A daemon already serves this home; the message names it. */
export class DaemonRunningError extends Error {
	override name = 'DaemonRunningError';
}

/** The port is taken; the message suggests --port. */
export class PortInUseError extends Error {
	override name = 'PortInUseError';
}

/**
Starts the headless daemon of a home: refuses when another one serves it, checks the port, starts the
embedded core (proxy, admin API, scheduler, usage polling) and writes daemon.json so commands and the TUI
find it.
*/
export async function startDaemon(options: DaemonOptions): Promise<RunningDaemon> {
	const running = await findDaemon(options.home);
	if (running !== undefined) {
		throw new DaemonRunningError(
			`A codexpool daemon already serves ${options.home}: pid ${running.pid} at ${running.url}, started ${new Date(running.startedAt).toISOString()}. ` +
				`Stop it first (Ctrl-C in its terminal, or \`kill ${running.pid}\`), or start this one with another --home.`,
		);
	}

	// Refuse a bind beyond loopback without keys before probing the port, so nothing ever listens there.
	assertBindAllowed(options.host, options.store);
	const withTls = options.tls !== undefined;
	if (options.port !== 0) {
		await assertPortFree(options.host, options.port).catch(async (error: unknown) => {
			throw error instanceof PortInUseError
				? await portInUse(options.host, options.port, withTls, options.command)
				: error;
		});
	}

	if (options.tls !== undefined && options.tls.port !== 0) {
		const tlsPort = options.tls.port;
		await assertPortFree('127.0.0.1', tlsPort).catch(async (error: unknown) => {
			if (!(error instanceof PortInUseError)) {
				throw error;
			}

			const free = await freePair(options.host, (options.port || tlsPort) + 2);
			throw new PortInUseError(
				`The HTTPS port ${tlsPort} on 127.0.0.1 is already in use (another program, or a codexpool serving another home). ` +
					`Ports ${free} and ${free + 1} are free: \`${startCommand(options.command)} --port ${free}\` takes both ` +
					`(HTTPS on ${free + 1}), and \`codexpool codex-config --port ${free}\` points Codex at them. ` +
					'Or choose the HTTPS port alone with --tls-port, or turn HTTPS off with --no-tls.',
			);
		});
	}

	let core: EmbeddedCore;
	try {
		core = await startEmbeddedCore({
			store: options.store,
			host: options.host,
			port: options.port,
			waitUpToMs: options.waitUpToMs,
			upstream: options.upstream,
			issuer: options.issuer,
			tls: options.tls,
		});
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
			throw await portInUse(options.host, options.port, withTls, options.command);
		}

		throw error;
	}

	const info: DaemonInfo = {
		url: clientUrl(core.url),
		...(core.tlsUrl === undefined ? {} : {tlsUrl: core.tlsUrl}),
		pid: process.pid,
		startedAt: Date.now(),
	};
	await writeDaemonInfo(options.home, info);
	let stopping: Promise<void> | undefined;
	return {
		core,
		info,
		stop(graceMs, hurry) {
			stopping ??= (async () => {
				await removeDaemonInfo(options.home);
				await core.stop(graceMs, hurry);
			})();
			return stopping;
		},
	};
}

/** Where clients on this machine reach a server bound to every interface. */
function clientUrl(url: string): string {
	return url.replace('//0.0.0.0:', '//127.0.0.1:').replace('//[::]:', '//[::1]:');
}

/** Resolves when `port` can be bound on `host`; a PortInUseError when it is taken. */
async function assertPortFree(host: string, port: number): Promise<void> {
	await new Promise<void>((resolve, reject) => {
		const probe = net.createServer();
		probe.once('error', (error: NodeJS.ErrnoException) => {
			reject(
				error.code === 'EADDRINUSE'
					? new PortInUseError(`Port ${port} on ${host} is already in use.`)
					: error,
			);
		});
		probe.listen(port, host, () => {
			probe.close(() => resolve());
		});
	});
}

const isFree = (host: string, port: number) =>
	assertPortFree(host, port).then(
		() => true,
		() => false,
	);

/**
The first port from `from` on that is free on `host` together with the HTTPS port `serve --port` derives from
it (tlsPortFor: the next one, on 127.0.0.1), checked now, so the advice works when followed.
*/
async function freePair(host: string, from: number): Promise<number> {
	for (let port = Math.max(1024, from); port < 65_535; port++) {
		if ((await isFree(host, port)) && (await isFree('127.0.0.1', tlsPortFor(port)))) {
			return port;
		}
	}

	return 0;
}

function startCommand(command = 'serve'): string {
	return ['codexpool', command].filter(Boolean).join(' ');
}

async function portInUse(
	host: string,
	port: number,
	withTls: boolean,
	command?: string,
): Promise<PortInUseError> {
	const free = await freePair(host, port + 2);
	return new PortInUseError(
		`Port ${port} on ${host} is already in use (another program, or a codexpool serving another home). ` +
			(withTls
				? `Ports ${free} and ${free + 1} are free: \`${startCommand(command)} --port ${free}\` takes both (HTTPS on ${free + 1}), `
				: `Port ${free} is free: \`${startCommand(command)} --port ${free}\`, `) +
			`and \`codexpool codex-config --port ${free}\` points Codex at it.`,
	);
}
