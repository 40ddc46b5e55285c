import type {IncomingMessage, ServerResponse} from 'node:http';
import {authenticate} from './backend-auth.ts';
import {type Exchange, HttpError, type LoggedRequest, sendJson} from './http.ts';
import {MODELS_ETAG, modelsBody} from './models.ts';
import {
	handleAuthorize,
	handleDeviceCode,
	handleDeviceToken,
	handleRevoke,
	handleToken,
	type IssuerState,
} from './oauth.ts';
import {handleCompact, handleResponses} from './responses.ts';
import type {UpstreamState} from './state.ts';
import {accountsCheckBody, rateLimitHeaders, usageBody} from './usage-report.ts';

export type Route = (exchange: Exchange) => Promise<void> | void;

/** Routes of the simulated backend and issuer, keyed `METHOD path`. */
function routes(state: UpstreamState, issuer: IssuerState): Map<string, Route> {
	const usage: Route = (exchange) => {
		const account = authenticate(state, exchange);
		const now = state.clock.now();
		const idle = state.settings.idleUsedPercent;
		sendJson(exchange, 200, usageBody(account, now, idle), rateLimitHeaders(account, now, idle));
	};

	return new Map<string, Route>([
		['POST /backend-api/codex/responses', (exchange) => handleResponses(state, exchange)],
		['POST /backend-api/codex/responses/compact', (exchange) => handleCompact(state, exchange)],
		[
			'GET /backend-api/codex/models',
			(exchange) => {
				authenticate(state, exchange, {requireAccountHeader: false});
				if (exchange.req.headers['if-none-match'] === MODELS_ETAG) {
					exchange.entry.status = 304;
					exchange.res.writeHead(304, {etag: MODELS_ETAG}).end();
					return;
				}

				sendJson(exchange, 200, modelsBody(), {etag: MODELS_ETAG});
			},
		],
		['GET /backend-api/wham/usage', usage],
		['GET /api/codex/usage', usage],
		[
			'GET /backend-api/wham/accounts/check',
			(exchange) =>
				sendJson(
					exchange,
					200,
					accountsCheckBody(authenticate(state, exchange, {requireAccountHeader: false})),
				),
		],
		['GET /oauth/authorize', (exchange) => handleAuthorize(state, issuer, exchange)],
		['POST /oauth/token', (exchange) => handleToken(state, issuer, exchange)],
		['POST /oauth/revoke', (exchange) => handleRevoke(state, exchange)],
		['POST /api/accounts/deviceauth/usercode', (exchange) => handleDeviceCode(state, issuer, exchange)],
		['POST /api/accounts/deviceauth/token', (exchange) => handleDeviceToken(state, issuer, exchange)],
		[
			'GET /codex/device',
			(exchange) => {
				exchange.entry.status = 200;
				exchange.res
					.writeHead(200, {'content-type': 'text/html'})
					.end('<p>Enter the code shown in your terminal.</p>');
			},
		],
	]);
}

/** Appends a request to `state.log` (bounded by `logLimit`). */
export function logEntry(state: UpstreamState, req: IncomingMessage, path: string): LoggedRequest {
	const entry: LoggedRequest = {
		seq: (state.log.at(-1)?.seq ?? 0) + 1,
		at: state.clock.now(),
		method: req.method ?? 'GET',
		path,
		headers: {...req.headers},
		status: 0,
	};
	state.log.push(entry);
	if (state.log.length > state.logLimit) {
		state.log.splice(0, state.log.length - state.logLimit);
	}

	return entry;
}

/** The request handler of the simulated upstream's HTTP server. */
export function createRequestHandler(
	state: UpstreamState,
	issuer: IssuerState,
	control: {route: Route | undefined},
) {
	const table = routes(state, issuer);
	return async (req: IncomingMessage, res: ServerResponse) => {
		const url = new URL(req.url ?? '/', 'http://127.0.0.1');
		const exchange: Exchange = {req, res, url, entry: logEntry(state, req, url.pathname + url.search)};
		const route = url.pathname.startsWith('/__sim/')
			? control.route
			: table.get(`${req.method} ${url.pathname}`);
		try {
			if (!route) {
				// Codex CLI asks for /ps/* and /wham/settings/user; a 404 there is what it expects (observed §2).
				throw new HttpError(404, {detail: 'Not Found'});
			}

			await route(exchange);
		} catch (error) {
			if (res.headersSent || res.destroyed) {
				res.destroy();
				return;
			}

			if (error instanceof HttpError) {
				sendJson(exchange, error.status, error.body, error.headers);
				return;
			}

			sendJson(exchange, 500, {
				error: {type: 'server_error', message: `Simulated upstream bug: ${String(error)}`},
			});
		}
	};
}
