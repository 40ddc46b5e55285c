import type {IncomingMessage} from 'node:http';
import {hostname, networkInterfaces} from 'node:os';
import {keyPrefix, type PoolKeys} from '../keys/pool-keys.ts';
import type {Refusal} from './reply.ts';
import type {Door} from './route.ts';

/**
The one access policy every front door applies (the admin API, `/v1`, `/backend-api`, `/healthz`, and WebSocket
upgrades), in this order:
1. Host: only the pool's own names (DNS rebinding: a page whose name resolves to 127.0.0.1 sends its own name).
2. Origin: a browser request is refused unless the user allowed its origin (`settings.allowedOrigins`).
3. The door's credential: a pool key on the model doors, loopback or the admin token on the admin API.
*/
export type AccessPolicy = {
	/** Steps 1 and 2, for any request or upgrade; undefined lets it through. */
	readonly checkCaller: (request: IncomingMessage) => Refusal | undefined;
	/** Step 3 for the door the request's route belongs to. */
	readonly checkCredential: (request: IncomingMessage, door: Door) => Refusal | undefined;
	/** Steps 1 to 3: what an upgrade handler or a test calls. */
	readonly check: (request: IncomingMessage, door: Door) => Refusal | undefined;
	/** Whether the request's Origin was allowed (then the answer carries CORS headers for it). */
	readonly allowedOrigin: (request: IncomingMessage) => string | undefined;
};

/** What the policy reads on every request, so a settings change or a revoked key applies at once. */
export type AccessSettings = {
	readonly requireKey: boolean;
	readonly allowedOrigins: readonly string[];
};

export type AccessPolicyOptions = {
	/** The address the server listens on: beyond loopback, every client needs a pool key. */
	readonly bindHost: string;
	readonly keys: Pick<PoolKeys, 'verify'>;
	readonly settings: () => AccessSettings;
	/** When set, admin API callers that are not on loopback may present it as a Bearer token. */
	readonly adminToken?: string | undefined;
};

const ipv4Loopback = /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/;

/**
Whether an address or host name is this machine: the whole of 127.0.0.0/8, `::1`, their IPv4-mapped forms
(`::ffff:127.0.0.1`) and `localhost`. One rule for client addresses and bind addresses alike.
*/
export function isLoopback(address: string | undefined): boolean {
	if (address === undefined) {
		return false;
	}

	const plain = address.replace(/^\[|\]$/g, '').toLowerCase();
	const unmapped = plain.startsWith('::ffff:') ? plain.slice(7) : plain;
	return unmapped === '::1' || unmapped === 'localhost' || ipv4Loopback.test(unmapped);
}

const wildcards = new Set(['0.0.0.0', '::', '']);

/**
The host names the pool answers to: its loopback names, plus, bound beyond loopback, the bind address and
(bound to every interface) this machine's addresses and host name.
*/
export function ownHostNames(bindHost: string): ReadonlySet<string> {
	const names = new Set(['localhost', '::1', '::ffff:127.0.0.1']);
	const bind = bindHost.replace(/^\[|\]$/g, '').toLowerCase();
	if (!isLoopback(bind)) {
		if (wildcards.has(bind)) {
			names.add(hostname().toLowerCase());
			for (const list of Object.values(networkInterfaces())) {
				for (const entry of list ?? []) {
					names.add(entry.address.toLowerCase());
				}
			}
		} else {
			names.add(bind);
		}
	}

	return names;
}

/** The name part of a Host header (`[::1]:4455` → `::1`, `Example.COM:80` → `example.com`). */
export function hostNameOf(host: string): string {
	const value = host.trim().toLowerCase();
	if (value.startsWith('[')) {
		const end = value.indexOf(']');
		return end === -1 ? value : value.slice(1, end);
	}

	const colon = value.indexOf(':');
	return colon === -1 || colon !== value.lastIndexOf(':') ? value : value.slice(0, colon);
}

/** An origin as browsers send it, for comparison: lower case, no trailing slash. */
function normaliseOrigin(origin: string): string {
	return origin.trim().toLowerCase().replace(/\/+$/, '');
}

/** The Bearer credential a request presents, or ''. */
export function presentedCredential(request: IncomingMessage): string {
	const header = request.headers.authorization ?? '';
	const match = /^bearer\s*(.*)$/i.exec(header.trim());
	return match?.[1]?.trim() ?? '';
}

function constantTimeEqual(a: string, b: string): boolean {
	const left = Buffer.from(a);
	const right = Buffer.from(b);
	let difference = left.length ^ right.length;
	for (let i = 0; i < right.length; i++) {
		difference |= (left[i] ?? 0) ^ right[i]!;
	}

	return difference === 0;
}

const keyHowTo = 'Create one with `codexpool keys create` and send it as `Authorization: Bearer cxp_...`.';

export function createAccessPolicy(options: AccessPolicyOptions): AccessPolicy {
	const names = ownHostNames(options.bindHost);
	const loopbackBind = isLoopback(options.bindHost);

	const checkHost = (request: IncomingMessage): Refusal | undefined => {
		const host = request.headers.host;
		// HTTP/1.0 may omit it (Node refuses an HTTP/1.1 request without one); a browser always sends it.
		if (host === undefined) {
			return undefined;
		}

		const name = hostNameOf(host);
		if (names.has(name) || isLoopback(name)) {
			return undefined;
		}

		return {
			status: 421,
			code: 'misdirected_request',
			message:
				`codexpool answers only to its own host names (127.0.0.1, localhost, [::1]${loopbackBind ? '' : `, ${options.bindHost}`}), ` +
				`not ${JSON.stringify(host.slice(0, 100))}: a web page whose name points at this machine cannot use the pool. ` +
				'Use http://127.0.0.1:<port> as the base URL.',
		};
	};

	const allowedOrigin = (request: IncomingMessage): string | undefined => {
		const origin = request.headers.origin;
		if (origin === undefined) {
			return undefined;
		}

		const wanted = normaliseOrigin(origin);
		return options.settings().allowedOrigins.some((allowed) => normaliseOrigin(allowed) === wanted)
			? origin
			: undefined;
	};

	const checkOrigin = (request: IncomingMessage): Refusal | undefined => {
		const origin = request.headers.origin;
		if (origin === undefined || allowedOrigin(request) !== undefined) {
			return undefined;
		}

		return {
			status: 403,
			code: 'origin_not_allowed',
			message:
				`codexpool does not serve web pages: this request came from the page at ${JSON.stringify(origin.slice(0, 100))}. ` +
				'Programs on this machine send no Origin header. To let that page use the pool, add its origin to ' +
				'`settings.allowedOrigins` in codexpool.json (in the codexpool home) and try again.',
		};
	};

	const checkCaller = (request: IncomingMessage) => checkHost(request) ?? checkOrigin(request);

	const checkCredential = (request: IncomingMessage, door: Door): Refusal | undefined => {
		if (door === 'health') {
			return undefined;
		}

		const presented = presentedCredential(request);
		// A pool key must be a valid one, always and on every door: a wrong or revoked key is never ignored.
		if (presented.startsWith(keyPrefix) && options.keys.verify(presented) === undefined) {
			return {
				status: 401,
				code: 'invalid_api_key',
				message: `Incorrect pool key provided (unknown or revoked). ${keyHowTo}`,
			};
		}

		const fromLoopback = isLoopback(request.socket.remoteAddress);
		if (door === 'admin') {
			if (fromLoopback) {
				return undefined;
			}

			if (options.adminToken === undefined) {
				return {
					status: 403,
					code: 'forbidden',
					message:
						'The admin API answers loopback clients only. Configure an admin token to reach it from elsewhere.',
				};
			}

			return constantTimeEqual(presented, options.adminToken)
				? undefined
				: {status: 403, code: 'forbidden', message: 'Wrong or missing admin token.'};
		}

		if (presented.startsWith(keyPrefix)) {
			return undefined;
		}

		// Without a pool key (no header, Codex's own login, or a placeholder such as `sk-unused`, which the SDKs
		// insist on sending) only a loopback client of a loopback-bound pool with requireKey off passes.
		const {requireKey} = options.settings();
		if (!requireKey && loopbackBind && fromLoopback) {
			return undefined;
		}

		const why = requireKey
			? 'this pool requires a key (requireKey is on)'
			: 'the pool is reachable beyond this machine';
		return {
			status: 401,
			code: presented === '' ? 'missing_api_key' : 'invalid_api_key',
			message: `${presented === '' ? 'A pool key is required' : 'That is not a pool key, and one is required'}: ${why}. ${keyHowTo}`,
		};
	};

	return {
		checkCaller,
		checkCredential,
		check: (request, door) => checkCaller(request) ?? checkCredential(request, door),
		allowedOrigin,
	};
}

/** Beyond loopback every client must present a pool key: refuse to listen there otherwise. */
export function assertBindAllowed(
	host: string,
	store: {getSettings: () => {readonly requireKey: boolean}; getKeys: () => readonly unknown[]},
): void {
	if (!isLoopback(host) && (!store.getSettings().requireKey || store.getKeys().length === 0)) {
		throw new Error(
			`Refusing to listen on ${host}: beyond loopback, every client must present a pool key. ` +
				'Create one with `codexpool keys create`, then `codexpool keys require on`, and start again.',
		);
	}
}
