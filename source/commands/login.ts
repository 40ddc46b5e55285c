import {browserLogin, defaultCallbackPorts} from '../core/auth/browser-login.ts';
import {deviceLogin} from '../core/auth/device-login.ts';
import {authIssuer, type LoginTokens} from '../core/auth/oauth-client.ts';
import {openBrowserIfPossible} from '../core/auth/open-browser.ts';
import {saveLogin} from '../core/auth/save-login.ts';
import {openHomeStore, parseCommandLine} from './command-line.ts';
import {type Command, type Io, UsageError} from './types.ts';

const help = `
  Usage
    $ codexpool login [--device] [--name NAME]

  Logs in to a ChatGPT account the way Codex CLI does and saves it in the pool. The browser login listens on
  http://localhost:1455 (1457 if taken) for the answer; --device prints a code to type at a web page
  instead, for machines without a browser. Logging in to an account already saved replaces its tokens.

  Options
    --device      use the device-code login
    --name NAME   name the account (default: its email)
    --home DIR    the codexpool home (default $CODEXPOOL_HOME, else ~/.codexpool)

  Example
    $ codexpool login --name work
`;

/** What tests replace: how the browser is opened, which ports, how long to wait. */
export type LoginDependencies = {
	readonly openBrowser?: (url: string, env: NodeJS.ProcessEnv) => unknown;
	readonly ports?: readonly number[];
	readonly timeoutMs?: number;
};

/** The login command; tests inject a browser that follows the authorize URL itself. */
export function createLoginCommand(dependencies: LoginDependencies = {}): Command {
	return {
		name: 'login',
		summary: 'log in to a ChatGPT account (browser, or --device) and add it to the pool',
		async run(argv, io) {
			const cli = parseCommandLine(help, argv, {device: {type: 'boolean'}, name: {type: 'string'}});
			if (cli.flags.help) {
				io.stdout(help);
				return 0;
			}

			if (cli.input.length > 0) {
				throw new UsageError(
					`\`codexpool login\` takes no arguments (got "${cli.input.join(' ')}"); use --name NAME.`,
				);
			}

			const name = cli.flags.name?.trim();
			if (name === '') {
				throw new UsageError('--name needs a value, e.g. --name work.');
			}

			// Open the store first: a damaged store should stop us before the user logs in for nothing.
			const store = openHomeStore(cli.flags.home, io.env);
			const issuer = authIssuer(io.env);
			const tokens = cli.flags.device
				? await loginWithDevice(issuer, io, dependencies)
				: await loginWithBrowser(issuer, io, dependencies);
			const saved = saveLogin(store, tokens, {name, now: Date.now()});
			const {account} = saved;
			if (saved.nameTaken !== undefined) {
				io.stdout(
					`The name "${saved.nameTaken}" is used by another account; this one is saved as "${account.name}".\n`,
				);
			}

			const who = `${account.name}${account.email && account.email !== account.name ? ` (${account.email})` : ''}`;
			io.stdout(
				saved.kind === 'added'
					? `Logged in: added ${who}, plan ${account.plan}.\n`
					: `Logged in again: ${who} was already saved; its tokens were replaced.\n`,
			);
			return 0;
		},
	};
}

async function loginWithBrowser(
	issuer: string,
	io: Io,
	dependencies: LoginDependencies,
): Promise<LoginTokens> {
	const open = dependencies.openBrowser ?? openBrowserIfPossible;
	return browserLogin({
		issuer,
		ports: dependencies.ports ?? defaultCallbackPorts,
		timeoutMs: dependencies.timeoutMs,
		onUrl(url, redirectUri) {
			io.stdout(
				`Open this URL in a browser and log in:\n\n  ${url}\n\nWaiting for the answer on ${redirectUri} ` +
					'(on a machine without a browser, use `codexpool login --device`).\n',
			);
		},
		openBrowser: (url) => open(url, io.env),
	});
}

async function loginWithDevice(
	issuer: string,
	io: Io,
	dependencies: LoginDependencies,
): Promise<LoginTokens> {
	return deviceLogin({
		issuer,
		timeoutMs: dependencies.timeoutMs,
		onCode(url, code) {
			io.stdout(
				`Open ${url} in any browser and enter this code:\n\n  ${code}\n\nWaiting for the login (the code is valid for 15 minutes)...\n`,
			);
		},
	});
}

export const command: Command = createLoginCommand();
