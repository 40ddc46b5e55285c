import {openHomeCore} from '../core/control/home-core.ts';
import {resolveHome} from '../core/home.ts';
import {localTlsOption, tlsPortFor} from '../core/tls/listener-option.ts';
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
    --tls-port N  its HTTPS port on 127.0.0.1 for Codex's built-in provider (default: the port after --port)
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
			tlsPort: {type: 'number'},
			tls: {type: 'boolean', default: true},
		});
		if (cli.flags.help) {
			io.stdout(help);
			return 0;
		}

		const home = resolveHome(cli.flags.home, io.env);
		// Attached to the home's daemon, or the daemon itself: started here exactly as `codexpool serve` starts it.
		const opened = await openHomeCore(home, {
			start: () => ({
				host: cli.flags.host,
				port: cli.flags.port,
				upstream: io.env.CODEXPOOL_UPSTREAM,
				issuer: io.env.CODEXPOOL_AUTH_ISSUER,
				command: '',
				tls: localTlsOption(home, cli.flags.tlsPort ?? tlsPortFor(cli.flags.port), cli.flags.tls, (message) =>
					io.stderr(`codexpool: ${message}\n`),
				),
			}),
		});
		await showUntilQuit(opened.core, {}, opened.close);
		return 0;
	},
};
