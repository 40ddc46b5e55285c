import type {SimulatedAccountInput} from './accounts.ts';
import {type Exchange, HttpError, parseFields, readBody, sendJson} from './http.ts';
import type {MutableSettings} from './state.ts';
import type {SimulatedUpstream} from './types.ts';
import {websocketControl} from './ws-control.ts';

/** Settings the control API may change (not `requestCost`, which is a function). */
const SETTABLE = [
	'deltaCount',
	'streamChunks',
	'chunkIntervalMs',
	'reasoningTokens',
	'rateLimitsEvent',
	'idleUsedPercent',
	'strict',
	'devicePendingPolls',
	'deviceIntervalSeconds',
] as const satisfies ReadonlyArray<keyof MutableSettings>;

/**
The control API under `/__sim/` (only with `control: true`): the accounts API over HTTP, for a
simulated upstream running in another process (`standalone.ts`), so a benchmark measures the proxy alone.
*/
export function createControlRoute(upstream: SimulatedUpstream) {
	const summary = () => {
		const stats = upstream.refreshTokens();
		return {
			accounts: upstream.accounts.list().map(({name, accountId, email, plan}) => ({
				name,
				accountId,
				email,
				plan,
				quota: upstream.accounts.quota(name),
			})),
			refreshTokens: {
				issued: stats.uses.size,
				maxUses: Math.max(0, ...stats.uses.values()),
				reused: stats.reused.length,
				unknown: stats.unknown,
			},
			requests: upstream.log.at(-1)?.seq ?? 0,
		};
	};

	return async (exchange: Exchange): Promise<void> => {
		const {pathname, searchParams} = exchange.url;
		const method = exchange.req.method ?? 'GET';
		const fields =
			method === 'GET' || method === 'DELETE' ? {} : parseFields(exchange, await readBody(exchange));
		const accountAction = /^\/__sim\/accounts\/([^/]+)\/([\w.-]+)$/.exec(pathname);
		const ok = (body: unknown = {}) => sendJson(exchange, 200, body);
		try {
			if (method === 'GET' && pathname === '/__sim/state') {
				return ok(summary());
			}

			if (method === 'POST' && pathname === '/__sim/accounts') {
				const view = upstream.accounts.add(fields as SimulatedAccountInput);
				return ok({
					name: view.name,
					accountId: view.accountId,
					authJson: upstream.accounts.authJson(view.name),
				});
			}

			if (method === 'PATCH' && pathname === '/__sim/settings') {
				for (const key of SETTABLE) {
					if (key in fields) {
						(upstream.settings as Record<string, unknown>)[key] = fields[key];
					}
				}

				return ok();
			}

			if (method === 'GET' && pathname === '/__sim/log') {
				const since = Number(searchParams.get('since') ?? 0);
				const entries = upstream.log
					.filter((entry) => entry.seq > since)
					.map((entry) => ({
						...entry,
						headers: {
							...entry.headers,
							authorization: entry.headers.authorization ? '[redacted]' : undefined,
						},
					}));
				return ok({entries});
			}

			const websocketAnswer = websocketControl(upstream.websockets, method, pathname, fields);
			if (websocketAnswer !== undefined) {
				return ok(websocketAnswer);
			}

			if (accountAction) {
				const name = decodeURIComponent(accountAction[1] ?? '');
				const action = accountAction[2];
				const {accounts} = upstream;
				if (method === 'GET' && action === 'auth.json') {
					return ok(accounts.authJson(name));
				}

				if (method === 'POST' && action === 'exhaust') {
					accounts.exhaust(name, fields.window === 'weekly' ? 'weekly' : 'five-hour');
					return ok(accounts.quota(name));
				}

				if (method === 'POST' && action === 'used') {
					accounts.setUsedPercent(name, fields as {fiveHour?: number; weekly?: number});
					return ok(accounts.quota(name));
				}

				if (method === 'POST' && action === 'expire-access-tokens') {
					accounts.expireAccessTokens(name);
					return ok();
				}

				if (method === 'POST' && action === 'login-account') {
					accounts.setLoginAccount(name);
					return ok();
				}
			}
		} catch (error) {
			if (error instanceof HttpError) {
				throw error;
			}

			throw new HttpError(400, {error: {type: 'invalid_request_error', message: (error as Error).message}});
		}

		throw new HttpError(404, {detail: `No control endpoint ${method} ${pathname}`});
	};
}
