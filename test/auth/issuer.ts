import http from 'node:http';
import type {AddressInfo} from 'node:net';
import {makeAccessToken, makeIdToken} from '../store/fixtures.ts';

/** A tiny OAuth issuer for unit tests: rotating refresh tokens, a log of what it was sent, and faults. */
export type TestIssuer = {
	readonly url: string;
	/** Every refresh token sent to /oauth/token, in order. */
	readonly refreshTokensSeen: string[];
	/** Every request: path and parsed body. */
	readonly requests: {path: string; contentType: string; body: Record<string, string>}[];
	/** Refresh tokens the issuer accepts, mapped to their account. */
	readonly valid: Map<string, string>;
	/** Answer the next token requests with this instead (status and JSON body). */
	fault: {status: number; body: unknown} | undefined;
	/** Delay before answering /oauth/token, in ms. */
	delayMs: number;
	/** Lifetime of issued access tokens (ms). */
	accessLifetimeMs: number;
	/** Handler for any other path (login tests). */
	other:
		| ((request: http.IncomingMessage, body: Record<string, string>, response: http.ServerResponse) => void)
		| undefined;
	close: () => Promise<void>;
};

let serial = 0;

export async function startTestIssuer(): Promise<TestIssuer> {
	const issuer: Omit<TestIssuer, 'url' | 'close'> = {
		refreshTokensSeen: [],
		requests: [],
		valid: new Map(),
		fault: undefined,
		delayMs: 0,
		accessLifetimeMs: 3_600_000,
		other: undefined,
	};
	const server = http.createServer(async (request, response) => {
		let text = '';
		for await (const chunk of request) {
			text += chunk;
		}

		const contentType = request.headers['content-type'] ?? '';
		const body: Record<string, string> = contentType.includes('json')
			? text === ''
				? {}
				: JSON.parse(text)
			: Object.fromEntries(new URLSearchParams(text));
		const path = (request.url ?? '').split('?')[0]!;
		issuer.requests.push({path, contentType, body});
		const send = (status: number, value: unknown) => {
			response.writeHead(status, {'content-type': 'application/json'});
			response.end(JSON.stringify(value));
		};

		if (path !== '/oauth/token' || body.grant_type !== 'refresh_token') {
			if (issuer.other) {
				issuer.other(request, body, response);
			} else {
				send(404, {error: 'not_found'});
			}

			return;
		}

		issuer.refreshTokensSeen.push(body.refresh_token ?? '');
		if (issuer.delayMs > 0) {
			await new Promise((resolve) => setTimeout(resolve, issuer.delayMs));
		}

		if (issuer.fault) {
			send(issuer.fault.status, issuer.fault.body);
			return;
		}

		const accountId = issuer.valid.get(body.refresh_token ?? '');
		if (accountId === undefined) {
			send(401, {
				error: {code: 'refresh_token_reused', message: 'Your refresh token has already been used.'},
			});
			return;
		}

		issuer.valid.delete(body.refresh_token!);
		serial++;
		const refreshToken = `rt-${accountId}-r${serial}`;
		issuer.valid.set(refreshToken, accountId);
		send(200, {
			id_token: makeIdToken({accountId, email: `${accountId}@example.com`, plan: 'pro'}),
			access_token: makeAccessToken(Date.now() + issuer.accessLifetimeMs, `r${serial}`),
			refresh_token: refreshToken,
		});
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const {port} = server.address() as AddressInfo;
	return Object.assign(issuer as TestIssuer, {
		url: `http://127.0.0.1:${port}`,
		close: () =>
			new Promise<void>((resolve) => {
				server.closeAllConnections();
				server.close(() => resolve());
			}),
	});
}
