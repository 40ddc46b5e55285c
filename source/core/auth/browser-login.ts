import http from 'node:http';
import type {AddressInfo} from 'node:net';
import {exchangeCode, type LoginTokens} from './oauth-client.ts';
import {buildAuthorizeUrl, createOAuthState, createPkce} from './pkce.ts';

/** Codex CLI's callback ports: 1455, else 1457. */
export const defaultCallbackPorts: readonly number[] = [1455, 1457];

export type BrowserLoginOptions = {
	readonly issuer: string;
	/** Ports tried in order for the callback server on 127.0.0.1 (tests pass [0]). */
	readonly ports?: readonly number[];
	/** Shows the URL to the user (called before `openBrowser`). */
	readonly onUrl: (url: string, redirectUri: string) => void;
	/** Opens the URL in a browser where possible; tests follow the URL themselves. Errors are ignored. */
	readonly openBrowser: (url: string) => unknown;
	readonly timeoutMs?: number;
};

/**
The browser login with PKCE exactly as Codex CLI does it (upstream-protocol.md §2): a callback server on
127.0.0.1, the authorize URL, the code from `/auth/callback` (state checked), then the code exchange.
*/
export async function browserLogin(options: BrowserLoginOptions): Promise<LoginTokens> {
	const pkce = createPkce();
	const state = createOAuthState();
	const timeoutMs = options.timeoutMs ?? 5 * 60_000;
	const {server, port} = await listenOnFirstFreePort(options.ports ?? defaultCallbackPorts);
	const redirectUri = `http://localhost:${port}/auth/callback`;
	try {
		return await new Promise<LoginTokens>((resolve, reject) => {
			const timer = setTimeout(() => {
				reject(
					new Error(
						`No login arrived within ${Math.round(timeoutMs / 1000)} s. Run \`codexpool login\` again, or ` +
							'`codexpool login --device` on a machine without a browser.',
					),
				);
			}, timeoutMs);
			const finish = (error: Error | undefined, tokens?: LoginTokens) => {
				clearTimeout(timer);
				if (error) {
					reject(error);
				} else {
					resolve(tokens!);
				}
			};

			server.on('request', (request, response) => {
				handleCallback(
					request,
					response,
					{issuer: options.issuer, state, redirectUri, verifier: pkce.verifier},
					finish,
				);
			});
			const url = buildAuthorizeUrl(options.issuer, {redirectUri, challenge: pkce.challenge, state});
			options.onUrl(url, redirectUri);
			Promise.resolve()
				.then(() => options.openBrowser(url))
				.catch(() => {
					// The URL was shown; the user can open it by hand.
				});
		});
	} finally {
		server.close();
		server.closeIdleConnections();
		setTimeout(() => server.closeAllConnections(), 1000).unref();
	}
}

type CallbackContext = {issuer: string; state: string; redirectUri: string; verifier: string};

function handleCallback(
	request: http.IncomingMessage,
	response: http.ServerResponse,
	context: CallbackContext,
	finish: (error: Error | undefined, tokens?: LoginTokens) => void,
): void {
	const url = new URL(request.url ?? '/', 'http://localhost');
	if (url.pathname === '/cancel') {
		page(response, 200, 'Login cancelled', 'You can close this tab.');
		finish(new Error('The login was cancelled in the browser. Run `codexpool login` to try again.'));
		return;
	}

	if (url.pathname !== '/auth/callback') {
		page(response, 404, 'Not found', 'This is the codexpool login callback.');
		return;
	}

	const error = url.searchParams.get('error');
	if (error !== null) {
		const description = url.searchParams.get('error_description') ?? '';
		page(response, 400, 'Login failed', `${error} ${description}`);
		finish(
			new Error(
				`The login was refused: ${error}${description ? ` (${description.slice(0, 200)})` : ''}. Run \`codexpool login\` to try again.`,
			),
		);
		return;
	}

	// A callback without our state is not the answer to our request (or a forgery): ignore it, keep waiting.
	if (url.searchParams.get('state') !== context.state) {
		page(
			response,
			400,
			'Login failed',
			'The state parameter does not match this login. Start the login again.',
		);
		return;
	}

	const code = url.searchParams.get('code');
	if (code === null || code === '') {
		page(response, 400, 'Login failed', 'The callback has no code.');
		finish(new Error('The login callback arrived without a code. Run `codexpool login` to try again.'));
		return;
	}

	exchangeCode(context.issuer, {code, redirectUri: context.redirectUri, codeVerifier: context.verifier}).then(
		(tokens) => {
			// Answer before finishing: the server closes once the login is done.
			response.once('close', () => finish(undefined, tokens));
			page(
				response,
				200,
				'Logged in',
				'The login is complete: you can close this tab and go back to the terminal.',
			);
		},
		(failure: unknown) => {
			const message = failure instanceof Error ? failure.message : String(failure);
			page(response, 502, 'Login failed', message);
			finish(failure instanceof Error ? failure : new Error(message));
		},
	);
}

function page(response: http.ServerResponse, status: number, title: string, text: string): void {
	const escapeHtml = (value: string) => value.replace(/[&<>"]/g, (char) => `&#${char.charCodeAt(0)};`);
	const body = `<!doctype html><meta charset="utf-8"><title>codexpool: ${escapeHtml(title)}</title><h1>${escapeHtml(title)}</h1><p>${escapeHtml(text)}</p>`;
	response.writeHead(status, {
		'content-type': 'text/html; charset=utf-8',
		'content-length': Buffer.byteLength(body),
	});
	response.end(body);
}

async function listenOnFirstFreePort(ports: readonly number[]): Promise<{server: http.Server; port: number}> {
	for (const port of ports) {
		const server = http.createServer();
		const result = await new Promise<'ok' | 'busy'>((resolve, reject) => {
			server.once('error', (error: NodeJS.ErrnoException) => {
				if (error.code === 'EADDRINUSE' || error.code === 'EACCES') {
					resolve('busy');
				} else {
					reject(error);
				}
			});
			server.listen(port, '127.0.0.1', () => resolve('ok'));
		});
		if (result === 'ok') {
			return {server, port: (server.address() as AddressInfo).port};
		}
	}

	throw new Error(
		`The login callback needs port ${ports.join(' or ')} on 127.0.0.1, and they are in use (another login running?). ` +
			'Close it and try again, or use `codexpool login --device`.',
	);
}
