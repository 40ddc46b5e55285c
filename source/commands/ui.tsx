import {findDaemon, removeDaemonInfo, writeDaemonInfo} from '../core/admin/daemon-file.ts';
import {createRemoteCore} from '../core/admin/remote-core.ts';
import type {Core} from '../core/contract.ts';
import {startEmbeddedCore} from '../core/core.ts';
import {resolveHome} from '../core/home.ts';
import {openStore} from '../core/store/store.ts';
import {DEFAULT_TLS_PORT, localTlsOption} from '../core/tls/listener-option.ts';
import {parseCommandLine} from './command-line.ts';
import {showUntilQuit} from './show-until-quit.ts';
import type {Command} from './types.ts';

const help = `
  Usage
    $ codexpool [--port 4455] [--tls-port 4456 | --no-tls] [--host 127.0.0.1]

  The control center. If a daemon (\`codexpool serve\`) serves this home, it attaches to it; otherwise it
  runs the proxy and the scheduler itself until you quit (q).

  Options
    --port N      where to serve when no daemon runs (default 4455)
    --tls-port N  its HTTPS port on 127.0.0.1 for Codex's built-in provider (default 4456)
    --no-tls      no HTTPS listener (enough for \`codexpool codex-config --provider custom\`)
    --host H      the address to bind (default 127.0.0.1)
    --home DIR    the codexpool home (default $CODEXPOOL_HOME, else ~/.codexpool)
`;

export const command: Command = {
	name: 'ui',
	summary: 'the control center (the default)',
	async run(argv, io) {
		const cli = parseCommandLine(help, argv, {
			port: {type: 'number', default: 4455},
			host: {type: 'string', default: '127.0.0.1'},
			tlsPort: {type: 'number', default: DEFAULT_TLS_PORT},
			tls: {type: 'boolean', default: true},
		});
		if (cli.flags.help) {
			io.stdout(help);
			return 0;
		}

		const home = resolveHome(cli.flags.home, io.env);
		const daemon = await findDaemon(home);
		let core: Core;
		if (daemon === undefined) {
			const embedded = await startEmbeddedCore({
				store: openStore(home),
				port: cli.flags.port,
				host: cli.flags.host,
				tls: localTlsOption(home, cli.flags.tlsPort, cli.flags.tls, (message) =>
					io.stderr(`codexpool: ${message}\n`),
				),
			}).catch((error: unknown) => {
				const taken = (error as {code?: string; port?: number}).port;
				if (
					(error as {code?: string}).code === 'EADDRINUSE' &&
					cli.flags.tls &&
					taken === cli.flags.tlsPort
				) {
					throw new Error(
						`The HTTPS port ${taken} is taken by another program. Start with another --tls-port ` +
							'(and `codexpool codex-config --tls-port` to match), or --no-tls.',
					);
				}

				throw describeListenError(error, cli.flags.port);
			});
			// While it embeds the pool, this process is the daemon of its home: commands and other TUIs find it.
			await writeDaemonInfo(home, {url: embedded.url, pid: process.pid, startedAt: Date.now()});
			core = embedded;
		} else {
			core = await createRemoteCore({url: daemon.url});
		}

		await showUntilQuit(core, {}, async () => {
			if (daemon === undefined) {
				await removeDaemonInfo(home);
			}

			await core.stop();
		});

		return 0;
	},
};

/** Turns "address in use" into what to do about it. */
export function describeListenError(error: unknown, port: number): Error {
	if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
		return new Error(
			`Port ${port} is taken by another program, so the control center cannot serve the pool there. ` +
				'Start it with another port (--port 4456), or stop what uses the port.',
		);
	}

	return error instanceof Error ? error : new Error(String(error));
}
