import path from 'node:path';
import {type DaemonInfo, findDaemon} from '../core/admin/daemon-file.ts';
import {resolveHome} from '../core/home.ts';
import {isLoopback} from '../core/http/access.ts';
import {tlsPortFor} from '../core/tls/listener-option.ts';
import {ensureLocalCertificates, TlsUnavailableError} from '../core/tls/local-ca.ts';
import {codexHome, configSnippet, variantOf, writeCodexConfig} from './codex-config-merge.ts';
import {parseCommandLine} from './command-line.ts';
import {type Command, type Io, UsageError} from './types.ts';

export {
	codexHome,
	configSnippet,
	mergeCodexConfig,
	type PoolTarget,
	poolSettings,
	type Variant,
	variantOf,
	writeCodexConfig,
} from './codex-config-merge.ts';

const help = `
  Usage
    $ codexpool codex-config [--write] [--provider builtin|custom] [--port PORT] [--tls-port PORT]
                             [--host HOST] [--key-env NAME] [--home DIR]

  Prints the lines that point Codex CLI at the pool; with --write, merges them into
  $CODEX_HOME/config.toml (default ~/.codex/config.toml), keeping everything else, after a backup.
  When a daemon serves the home (\`codexpool serve\`), its ports are the default.

  Two ways, both tested with Codex CLI 0.171:
    builtin (default)  Codex keeps its built-in "openai" provider and only its URLs change: model requests
                       go to http://127.0.0.1:PORT, account checks to https://127.0.0.1:TLS-PORT (Codex
                       insists on HTTPS there). Your sessions stay resumable (\`codex resume\`, --last), before
                       and after the switch. Needs one environment variable, which this command prints:
                       CODEX_CA_CERTIFICATE=<home>/tls/ca.pem (codexpool's local CA, made once with openssl,
                       valid only for 127.0.0.1, ::1 and localhost).
    custom             A custom provider "codexpool" over plain HTTP: no environment variable, but Codex
                       files new sessions under "codexpool": sessions recorded before (provider "openai")
                       are hidden from \`codex resume\` and refuse to resume through the pool.

  Options
    --write            merge into config.toml (a backup is written first; running twice changes nothing);
                       switching between the ways removes the other one's keys
    --provider P       builtin (default) or custom
    --port PORT        the port \`codexpool serve\` listens on (default: the running daemon's, else 4455)
    --tls-port PORT    its HTTPS port (default: the running daemon's, else the one after --port: 4456)
    --host HOST        where the pool runs (default 127.0.0.1); beyond loopback it needs --key-env
    --key-env NAME     Codex sends the pool key found in $NAME (see \`codexpool keys create\`) instead of
                       its own ChatGPT login (a custom provider): for a pool that requires keys
    --home DIR         the codexpool home holding the CA (default $CODEXPOOL_HOME, else ~/.codexpool)

  Examples
    $ codexpool codex-config --write
    $ codexpool codex-config --write --provider custom
    $ codexpool codex-config --write --host 10.0.0.5 --key-env CODEXPOOL_KEY
`;

const sharedLoginNote = `# - Codex stays logged in as it is (\`codex login\`): it sends its own ChatGPT token, and codexpool
#   replaces it with the token of the pooled account it picks. Codex still refreshes its own login now and
#   then: if you imported that same login (\`codexpool import ~/.codex\`), the two copies share one
#   single-use refresh token and one of them will need a new login. Add pooled accounts with
#   \`codexpool login\` to avoid that (or use --key-env, which needs no Codex login at all).
`;

function builtinNotes(caPath: string, env: NodeJS.ProcessEnv): string {
	const current = env.CODEX_CA_CERTIFICATE;
	const status =
		current === caPath
			? '# (CODEX_CA_CERTIFICATE is already set so in this shell.)\n'
			: current
				? `# (This shell has CODEX_CA_CERTIFICATE=${current}: Codex reads one file only, so replace it, or\n#  append ca.pem to that file.)\n`
				: '';
	return `
# Codex must trust codexpool's local CA for the HTTPS part. Run this where you run codex:
export CODEX_CA_CERTIFICATE=${caPath}
${status}# To make it permanent: ${permanentLine(caPath, env.SHELL)}

# Notes
# - Without the variable Codex cannot verify https://127.0.0.1 and no turn starts: it retries for about
#   17 s, then says "workspace routing discovery failed". Codex adds this CA to the ones it trusts; the CA
#   can only vouch for 127.0.0.1, ::1 and localhost, and its key (ca-key.pem, 0600) stays in the home.
# - Codex keeps its built-in "openai" provider, so every session stays resumable (\`codex resume\`,
#   \`codex resume --last\`), including those recorded before the switch. Sessions recorded through the
#   custom provider (--provider custom) resume with \`codex resume -c model_provider=codexpool ID\`.
# - \`codexpool serve\` (and the control center) listen on both ports by default; keep --tls-port in step.
${sharedLoginNote}# - Top-level keys must come before any [table] in config.toml: use --write rather than appending by hand.
`;
}

function permanentLine(caPath: string, shell = ''): string {
	if (shell.endsWith('fish')) {
		return `set -Ux CODEX_CA_CERTIFICATE ${caPath}`;
	}

	const rc = shell.endsWith('zsh') ? '~/.zshrc' : '~/.bashrc';
	return `echo 'export CODEX_CA_CERTIFICATE=${caPath}' >> ${rc}`;
}

const customNotes = `
# Notes
${sharedLoginNote}# - Codex keeps the model provider each session was recorded with (Codex CLI 0.171, tested): sessions from
#   before this change (provider "openai") are not shown by \`codex resume\` or --last, and resuming one by
#   id fails ("Cannot change this thread's model provider"). Resume such a session without the pool:
#   \`codex resume -c model_provider=openai SESSION_ID\`. Sessions started through the pool resume normally.
#   The default (--provider builtin) avoids this.
# - A custom provider goes without a few extras of the built-in one (zstd request bodies, the routing hint);
#   nothing the pool needs. It talks WebSocket to the pool (supports_websockets), as the built-in one does.
# - Top-level keys must come before any [table] in config.toml: use --write rather than appending by hand.
`;

function keyedNotes(keyEnv: string): string {
	return `
# Notes
# - Codex sends the pool key it finds in $${keyEnv}: create one with \`codexpool keys create --name codex\`
#   and \`export ${keyEnv}=cxp_...\` where you run codex. Codex needs no ChatGPT login of its own this way.
# - Codex then uses its built-in model list (it does not ask the pool); choose one with \`model = "..."\`.
# - Codex keeps the model provider each session was recorded with: sessions from before this change do not
#   resume through the pool (see \`codexpool codex-config --provider custom --help\` for the details).
`;
}

export const command: Command = {
	name: 'codex-config',
	summary: 'print (or --write into ~/.codex/config.toml) the lines that point Codex CLI at the pool',
	async run(argv, io) {
		const cli = parseCommandLine(help, argv, {
			write: {type: 'boolean'},
			provider: {type: 'string'},
			port: {type: 'string'},
			tlsPort: {type: 'string'},
			host: {type: 'string'},
			keyEnv: {type: 'string'},
		});
		if (cli.flags.help) {
			io.stdout(help);
			return 0;
		}

		if (cli.input.length > 0) {
			throw new UsageError(`\`codexpool codex-config\` takes no arguments (got "${cli.input.join(' ')}").`);
		}

		const home = resolveHome(cli.flags.home, io.env);
		const daemon = isLoopback(cli.flags.host ?? '127.0.0.1') ? await findDaemon(home) : undefined;
		const parsed = parseTarget(cli.flags, daemon);
		const {target, caPath} = withCertificates(parsed, home, io);
		const variant = variantOf(target);
		const where =
			variant === 'builtin'
				? `http://${target.host}:${target.port} and https://127.0.0.1:${target.tlsPort}`
				: `http://${target.host}:${target.port}`;
		const extra =
			variant === 'builtin'
				? builtinNotes(caPath!, io.env)
				: variant === 'keyed'
					? keyedNotes(target.keyEnv!)
					: customNotes;
		const mismatch = daemon === undefined ? undefined : daemonMismatch(daemon, target);
		if (mismatch !== undefined) {
			io.stderr(`codexpool: ${mismatch}\n`);
		}

		if (!cli.flags.write) {
			io.stdout(
				variant === 'builtin'
					? '# Point Codex CLI at codexpool, keeping its built-in provider (or let `codexpool codex-config --write` merge this in):\n'
					: '# Point Codex CLI at codexpool (or let `codexpool codex-config --write` merge this in):\n',
			);
			io.stdout(
				daemon !== undefined && mismatch === undefined
					? `# (the ports of the daemon serving ${home}, pid ${daemon.pid})\n\n`
					: '\n',
			);
			io.stdout(configSnippet(target));
			io.stdout(extra);
			return 0;
		}

		const file = path.join(codexHome(io.env), 'config.toml');
		const {changed, backup} = writeCodexConfig(file, target);
		const next = nextStep(target, daemon, mismatch, cli.flags.home);
		if (!changed) {
			io.stdout(
				`${file} already points Codex CLI at codexpool on ${where}: nothing changed.\n${next}${extra}`,
			);
			return 0;
		}

		io.stdout(
			`Updated ${file}: Codex CLI now uses codexpool on ${where}` +
				`${backup ? ` (the previous file is in ${backup})` : ''}.\n` +
				next +
				extra,
		);
		return 0;
	},
};

/** The ports a running daemon listens on (its HTTPS port undefined without HTTPS). */
function daemonPorts(daemon: DaemonInfo): {port: number; tlsPort: number | undefined} {
	return {
		port: Number(new URL(daemon.url).port),
		tlsPort: daemon.tlsUrl === undefined ? undefined : Number(new URL(daemon.tlsUrl).port),
	};
}

/**
What is wrong when Codex, configured as `target`, would miss the daemon serving this home: a port that differs,
or no HTTPS listener for the built-in provider. Codex then waits about 14 s and says "workspace routing
discovery failed".
*/
function daemonMismatch(daemon: DaemonInfo, target: Target): string | undefined {
	const running = daemonPorts(daemon);
	const restart = `\`codexpool serve --port ${target.port}${target.tlsPort === undefined || target.tlsPort === tlsPortFor(target.port) ? '' : ` --tls-port ${target.tlsPort}`}\``;
	if (target.port !== running.port) {
		return `The daemon serving this home (pid ${daemon.pid}) listens on port ${running.port}, not ${target.port}: Codex would not reach it. Drop --port to follow it, or restart it with ${restart}.`;
	}

	if (target.tlsPort !== undefined && running.tlsPort === undefined) {
		return `The daemon serving this home (pid ${daemon.pid}) has no HTTPS listener (started with --no-tls), which Codex's built-in provider needs: restart it without --no-tls, or use --provider custom.`;
	}

	if (target.tlsPort !== undefined && target.tlsPort !== running.tlsPort) {
		return `The daemon serving this home (pid ${daemon.pid}) serves HTTPS on port ${running.tlsPort}, not ${target.tlsPort}: Codex would not reach it ("workspace routing discovery failed"). Drop --tls-port to follow it, or restart it with ${restart}.`;
	}

	return undefined;
}

/** The last hint after --write: what to do next, matching what was written. */
function nextStep(
	target: Target,
	daemon: DaemonInfo | undefined,
	mismatch: string | undefined,
	homeFlag: string | undefined,
): string {
	if (daemon !== undefined && mismatch === undefined) {
		return `The pool is running (pid ${daemon.pid}, ${daemon.url}): run codex.\n`;
	}

	const flags = [
		target.port === 4455 ? '' : ` --port ${target.port}`,
		target.tlsPort === undefined || target.tlsPort === tlsPortFor(target.port)
			? ''
			: ` --tls-port ${target.tlsPort}`,
		homeFlag === undefined ? '' : ` --home ${homeFlag}`,
	].join('');
	return daemon === undefined
		? `Start the pool with \`codexpool serve${flags}\`, then run codex.\n`
		: `Then restart the pool with \`codexpool serve${flags}\` (see above), and run codex.\n`;
}

type Target = {port: number; host: string; keyEnv: string | undefined; tlsPort: number | undefined};

/**
Variant A needs the local CA: made (once) here, so the path printed exists before the pool first runs. Without
openssl, falls back to the custom provider and says why.
*/
function withCertificates(
	target: Target,
	home: string,
	io: Io,
): {target: Target; caPath: string | undefined} {
	if (variantOf(target) !== 'builtin') {
		return {target, caPath: undefined};
	}

	try {
		const {caPath} = ensureLocalCertificates(home);
		return {target, caPath};
	} catch (error) {
		if (!(error instanceof TlsUnavailableError)) {
			throw error;
		}

		io.stderr(
			`codexpool: ${error.message}\nFalling back to the custom provider (--provider custom): Codex works through the pool, but sessions recorded before the switch do not resume through it.\n`,
		);
		return {target: {...target, tlsPort: undefined}, caPath: undefined};
	}
}

/** The target from the flags; a port not given follows the running daemon of the home, else the defaults. */
function parseTarget(
	flags: {
		provider?: string | undefined;
		port?: string | undefined;
		tlsPort?: string | undefined;
		host?: string | undefined;
		keyEnv?: string | undefined;
	},
	daemon: DaemonInfo | undefined,
): Target {
	const {provider = 'builtin', host = '127.0.0.1', keyEnv} = flags;
	const running = daemon === undefined ? undefined : daemonPorts(daemon);
	const port = parsePort('--port', flags.port, running?.port ?? 4455);
	const followsDaemon = running !== undefined && port === running.port && running.tlsPort !== undefined;
	const tlsPort = parsePort('--tls-port', flags.tlsPort, followsDaemon ? running.tlsPort! : tlsPortFor(port));
	if (provider !== 'builtin' && provider !== 'custom') {
		throw new UsageError(`--provider takes builtin or custom (got "${provider}").`);
	}

	if (!/^[\w.:-]+$/.test(host)) {
		throw new UsageError(`--host must be a host name or an IP address (got "${host}").`);
	}

	if (keyEnv !== undefined && !/^[A-Za-z_]\w*$/.test(keyEnv)) {
		throw new UsageError(
			`--key-env must name an environment variable, such as CODEXPOOL_KEY (got "${keyEnv}").`,
		);
	}

	if (keyEnv === undefined && !isLoopback(host)) {
		throw new UsageError(
			`A pool on ${host} requires a pool key from every client: add --key-env CODEXPOOL_KEY (and create the key with \`codexpool keys create\`).`,
		);
	}

	if (keyEnv !== undefined && flags.provider === 'builtin') {
		throw new UsageError(
			'--key-env uses a custom provider (Codex sends the pool key instead of its login): drop --provider builtin.',
		);
	}

	const builtin = provider === 'builtin' && keyEnv === undefined;
	if (builtin && tlsPort === port) {
		throw new UsageError(`--tls-port must differ from --port (both are ${port}).`);
	}

	return {port, host, keyEnv, tlsPort: builtin ? tlsPort : undefined};
}

function parsePort(flag: string, text: string | undefined, fallback: number): number {
	if (text === undefined) {
		return fallback;
	}

	const port = Number(text);
	if (!/^\d+$/.test(text) || port < 1 || port > 65_535) {
		throw new UsageError(`${flag} must be a port number from 1 to 65535 (got "${text}").`);
	}

	return port;
}
