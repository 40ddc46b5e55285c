import {startDaemon} from '../core/control/daemon.ts';
import {parseDuration} from '../core/duration.ts';
import {resolveHome} from '../core/home.ts';
import {openStore} from '../core/store/store.ts';
import {localTlsOption, tlsPortFor} from '../core/tls/listener-option.ts';
import {parseCommandLine} from './command-line.ts';
import {type Command, type Io, UsageError} from './types.ts';

const help = `
  Usage
    $ codexpool serve [--port 4455] [--tls-port 4456 | --no-tls] [--host 127.0.0.1] [--wait-up-to 10m]
                      [--grace 30s]

  The headless daemon: the proxy (Codex CLI and OpenAI-compatible routes), the admin API, usage polling
  and the staggering scheduler. It writes its address into the home, so \`codexpool status\`, \`pin\`,
  \`strategy\` ... and the control center act on it at once. Stop it with Ctrl-C (or SIGTERM).

  Options
    --port N          the port (default 4455; 0 picks a free one)
    --tls-port N      also serve HTTPS on 127.0.0.1:N (default: the port after --port, so 4456), with a
                      certificate from codexpool's local CA (<home>/tls): Codex's built-in provider needs it
                      (\`codexpool codex-config\`)
    --no-tls          no HTTPS listener (enough for \`codexpool codex-config --provider custom\`)
    --host H          the address to bind (default 127.0.0.1; beyond loopback, pool keys are required)
    --grace D         when stopped (Ctrl-C, SIGTERM), how long streams in flight may take to finish (default
                      30s); those still running then end with their protocol's error event. A second Ctrl-C
                      ends them at once
    --wait-up-to D    when every account is exhausted, hold a request this long (e.g. 90s, 10m) if one
                      becomes usable by then, instead of answering 429 at once
    --home DIR        the codexpool home (default $CODEXPOOL_HOME, else ~/.codexpool)

  Example
    $ codexpool serve --port 4455
`;

export const command: Command = {
	name: 'serve',
	summary: 'run the headless daemon: proxy, admin API, scheduler and usage polling',
	async run(argv, io) {
		const stop = new AbortController();
		// The first signal stops it gracefully; a second one ends the streams still running at once.
		const hurry = new AbortController();
		const onSignal = () => (stop.signal.aborted ? hurry.abort() : stop.abort());
		process.on('SIGINT', onSignal);
		process.on('SIGTERM', onSignal);
		try {
			return await serve(argv, io, stop.signal, undefined, hurry.signal);
		} finally {
			process.off('SIGINT', onSignal);
			process.off('SIGTERM', onSignal);
		}
	},
};

/**
`codexpool serve` until `signal` aborts (SIGINT/SIGTERM in the CLI; tests abort it themselves). Resolves with
the exit code once daemon.json is removed and the server is closed.
*/
export async function serve(
	argv: readonly string[],
	io: Io,
	signal: AbortSignal,
	onListening?: (url: string) => void,
	hurry?: AbortSignal,
): Promise<number> {
	const cli = parseCommandLine(help, argv, {
		grace: {type: 'string'},
		port: {type: 'string'},
		host: {type: 'string'},
		waitUpTo: {type: 'string'},
		tlsPort: {type: 'string'},
		tls: {type: 'boolean', default: true},
	});
	if (cli.flags.help) {
		io.stdout(help);
		return 0;
	}

	if (cli.input.length > 0) {
		throw new UsageError(`\`codexpool serve\` takes no arguments (got "${cli.input.join(' ')}").`);
	}

	const port = parsePort(cli.flags.port);
	const host = cli.flags.host?.trim() || '127.0.0.1';
	let waitUpToMs: number | undefined;
	if (cli.flags.waitUpTo !== undefined) {
		try {
			waitUpToMs = parseDuration(cli.flags.waitUpTo);
		} catch (error) {
			throw new UsageError(`--wait-up-to: ${(error as Error).message}`);
		}
	}

	let graceMs = 30_000;
	if (cli.flags.grace !== undefined) {
		try {
			graceMs = parseDuration(cli.flags.grace);
		} catch (error) {
			throw new UsageError(`--grace: ${(error as Error).message}`);
		}
	}

	// The next port by default (4456 with 4455; --port 0, in tests, picks a free HTTPS port too).
	const tlsPort = cli.flags.tlsPort === undefined ? tlsPortFor(port) : parsePort(cli.flags.tlsPort);
	const home = resolveHome(cli.flags.home, io.env);
	const store = openStore(home);
	const tls = localTlsOption(home, tlsPort, cli.flags.tls, (message) => io.stderr(`codexpool: ${message}\n`));
	const daemon = await startDaemon({
		home,
		store,
		host,
		port,
		waitUpToMs,
		upstream: io.env.CODEXPOOL_UPSTREAM,
		issuer: io.env.CODEXPOOL_AUTH_ISSUER,
		tls,
	});
	const {url} = daemon.info;
	const stopNotices = daemon.core.on('notice', (notice) => {
		io.stdout(`${new Date(notice.at).toISOString()} ${notice.level.padEnd(5)} ${notice.message}\n`);
	});
	const snapshot = daemon.core.getSnapshot();
	const listenPort = Number(new URL(url).port);
	const scheduler = snapshot.scheduler;
	io.stdout(
		`codexpool serves ${home} at ${url}\n` +
			(daemon.core.tlsUrl
				? `  and over HTTPS at ${daemon.core.tlsUrl} (for Codex's built-in provider)\n`
				: '') +
			`  ${snapshot.accounts.length} account${snapshot.accounts.length === 1 ? '' : 's'}, strategy ${snapshot.strategy}, ` +
			`scheduler ${scheduler.enabled ? `on (${scheduler.policy}${scheduler.dryRun ? ', dry run' : ''})` : 'off'}\n` +
			`  Codex CLI: run \`codexpool codex-config --write${codexConfigFlags(listenPort, daemon.core.tlsUrl)}\` once to point it here.\n` +
			`  OpenAI-compatible clients: base URL ${url}/v1\n` +
			'  Stop with Ctrl-C.\n',
	);
	if (snapshot.accounts.length === 0) {
		io.stdout(
			'  No accounts yet: add one with `codexpool login` or `codexpool import ~/.codex` (picked up live).\n',
		);
	}

	onListening?.(url);
	await new Promise<void>((resolve) => {
		if (signal.aborted) {
			resolve();
			return;
		}

		signal.addEventListener('abort', () => resolve(), {once: true});
	});
	// The one count (HTTP responses and WebSocket turns), as `/healthz` and status show it.
	const streams = daemon.core.proxy.inFlight.current();
	io.stdout(
		streams === 0
			? 'Stopping codexpool: no new connections.\n'
			: `Stopping codexpool: no new connections; ${streams} stream${streams === 1 ? '' : 's'} in flight get up to ${formatGrace(graceMs)} to finish (Ctrl-C again ends them now).\n`,
	);
	stopNotices();
	await daemon.stop(graceMs, hurry);
	io.stdout('Stopped.\n');
	return 0;
}

function formatGrace(ms: number): string {
	return ms % 60_000 === 0 && ms > 0 ? `${ms / 60_000} min` : `${Math.round(ms / 100) / 10} s`;
}

/** The flags `codex-config` needs to match this daemon's ports. */
function codexConfigFlags(port: number, tlsUrl: string | undefined): string {
	const flags = port === 4455 ? '' : ` --port ${port}`;
	if (tlsUrl === undefined) {
		return `${flags} --provider custom`;
	}

	const tlsPort = Number(new URL(tlsUrl).port);
	return tlsPort === tlsPortFor(port) ? flags : `${flags} --tls-port ${tlsPort}`;
}

function parsePort(text: string | undefined): number {
	if (text === undefined) {
		return 4455;
	}

	const port = Number(text);
	if (!/^\d+$/.test(text.trim()) || port > 65_535) {
		throw new UsageError(`--port takes a port number from 0 to 65535 (e.g. --port 4455); got "${text}".`);
	}

	return port;
}
