import type {IncomingMessage, ServerResponse} from 'node:http';
import type {Duplex} from 'node:stream';

/**
Which front door a path belongs to. It decides two things: the shape of an error body (OpenAI's on `/v1`, the
ChatGPT backend's on `/backend-api`, the admin API's on `/api`) and which credential the access policy asks for
(a pool key on the model doors, loopback or the admin token on the admin door, nothing on `/healthz`).
*/
export type Door = 'codex' | 'openai' | 'admin' | 'health';

/**
One entry of the route list. `path` is an exact pathname or a pattern. A route answers HTTP requests
(`handle`), takes over WebSocket upgrades on its path (`upgrade`), or both.
*/
export type Route = {
	readonly door: Door;
	/** Undefined: any method. */
	readonly method?: string;
	readonly path: string | RegExp;
	readonly handle?: (request: IncomingMessage, response: ServerResponse, url: URL) => Promise<void> | void;
	/**
	Takes over a WebSocket upgrade on this path, after the access policy let it through (Host, Origin, key).
	Without a route that has one, an upgrade is answered 426 (Codex then falls back to HTTP at once).
	*/
	readonly upgrade?: (request: IncomingMessage, socket: Duplex, head: Buffer, url: URL) => void;
	/** A model turn: counted in flight from its arrival until its answer ends (the header, /healthz, status). */
	readonly model?: boolean;
};

/** The door of a path no route serves, for the shape of its 404. */
export function doorOfPath(pathname: string): Door {
	if (pathname === '/v1' || pathname.startsWith('/v1/')) {
		return 'openai';
	}

	if (pathname.startsWith('/api/') && !pathname.startsWith('/api/codex/')) {
		return 'admin';
	}

	return 'codex';
}

/**
The route list, indexed once: exact paths are looked up in a map (the hot path of every Codex turn), then the
patterns are tried in order. So a catch-all pattern (the admin API's `/api/...`) never shadows an exact path.
*/
export type RouteTable = {
	readonly request: (method: string | undefined, pathname: string) => Route | undefined;
	readonly upgrade: (pathname: string) => Route | undefined;
};

export function createRouteTable(routes: readonly Route[]): RouteTable {
	const exact = new Map<string, Route[]>();
	const patterns: Route[] = [];
	for (const route of routes) {
		if (typeof route.path === 'string') {
			const list = exact.get(route.path) ?? [];
			list.push(route);
			exact.set(route.path, list);
		} else {
			patterns.push(route);
		}
	}

	const find = (pathname: string, fits: (route: Route) => boolean): Route | undefined => {
		const candidates = exact.get(pathname);
		if (candidates !== undefined) {
			for (const route of candidates) {
				if (fits(route)) {
					return route;
				}
			}
		}

		for (const route of patterns) {
			if (fits(route) && (route.path as RegExp).test(pathname)) {
				return route;
			}
		}

		return undefined;
	};

	return {
		request: (method, pathname) =>
			find(
				pathname,
				(route) => route.handle !== undefined && (route.method === undefined || route.method === method),
			),
		upgrade: (pathname) => find(pathname, (route) => route.upgrade !== undefined),
	};
}
