import {randomBytes} from 'node:crypto';
import {type Clock, systemClock} from '../clock.ts';
import {AccountRegistry, type SimulatedAccountInput} from './accounts.ts';
import type {LoggedRequest} from './http.ts';
import type {Intercept} from './intercept.ts';
import type {ResponseUsage} from './response-events.ts';

/** How the simulated upstream behaves; every field is optional. */
export type SimulatedUpstreamOptions = {
	/** Time source for quota windows, token expiry, reset times (default the system clock). */
	readonly clock?: Clock;
	/**
	Sees each model request and refresh grant and may answer or bend it instead (see intercept.ts): how tests
	and the soak inject faults (test/helpers/faults.ts). Without it the backend answers as the real one would.
	*/
	readonly intercept?: Intercept;
	/** Port on 127.0.0.1 (default 0: any free port). */
	readonly port?: number;
	/** Accounts to start with. */
	readonly accounts?: readonly SimulatedAccountInput[];
	/**
	Access-token lifetime in clock ms (default 10 days; per account overridable). Below 5 minutes every token
	is "about to expire" for Codex, which then refreshes before each request: use `accounts.login(name,
	{accessTokenLifetimeMs})` to make one token short-lived instead.
	*/
	readonly accessTokenLifetimeMs?: number;
	/** Quota units a response costs (default input − cached + output tokens). */
	readonly requestCost?: (usage: ResponseUsage) => number;
	/** Number of `response.output_text.delta` events per reply (default: one per word). ~300 for the benchmark. */
	readonly deltaCount?: number;
	/** Writes per stream after the first event (default 1: the whole rest in one write). */
	readonly streamChunks?: number;
	/** Real ms between those writes (default 0), to make streams visibly stream in the demo. */
	readonly chunkIntervalMs?: number;
	/** `reasoning_tokens` reported per response (default 16). */
	readonly reasoningTokens?: number;
	/** Open each stream with a `codex.rate_limits` event (default false: documented for WebSocket only). */
	readonly rateLimitsEvent?: boolean;
	/** Used percent reported for an idle window (default 0; the real backend shows 0 or about 1). */
	readonly idleUsedPercent?: number;
	/** Refuse what the real backend refuses (`stream` not true, `store` not false, `temperature`...). Default true. */
	readonly strict?: boolean;
	/** Polls of `/api/accounts/deviceauth/token` answered 403 pending before the code is handed out (default 1). */
	readonly devicePendingPolls?: number;
	/** `interval` (seconds, as a string) the device-code endpoint tells clients to poll at (default 0). */
	readonly deviceIntervalSeconds?: number;
	/** OAuth client id the issuer accepts (default Codex CLI's). */
	readonly clientId?: string;
	/** Entries kept in `log` (default 2000; oldest dropped). */
	readonly logLimit?: number;
	/** Keep parsed bodies in `log` (default true). */
	readonly logBodies?: boolean;
	/** Serve the control API under `/__sim/` (default false; `standalone.ts` turns it on). */
	readonly control?: boolean;
};

export const CODEX_CLIENT_ID = 'app_EMoamEEZ73f0CkXaXp7hrann';

/** Settings that can change while the server runs (`upstream.settings`). */
export type MutableSettings = {
	deltaCount: number | undefined;
	streamChunks: number;
	chunkIntervalMs: number;
	reasoningTokens: number;
	rateLimitsEvent: boolean;
	idleUsedPercent: number;
	strict: boolean;
	devicePendingPolls: number;
	deviceIntervalSeconds: number;
	requestCost: (usage: ResponseUsage) => number;
};

/** Everything the route handlers share. */
export type UpstreamState = {
	readonly clock: Clock;
	/** Signs tokens and encrypted content; random per server. */
	readonly secret: string;
	readonly clientId: string;
	readonly registry: AccountRegistry;
	readonly intercept: Intercept | undefined;
	readonly settings: MutableSettings;
	/** `<chatgpt_account_id>\0<prompt_cache_key>` → input tokens last seen: the per-account prompt cache. */
	readonly promptCache: Map<string, number>;
	readonly log: LoggedRequest[];
	readonly logLimit: number;
	readonly logBodies: boolean;
	/** Set once listening. */
	url: string;
};

export const defaultRequestCost = (usage: ResponseUsage) =>
	usage.input_tokens - usage.input_tokens_details.cached_tokens + usage.output_tokens;

export function createUpstreamState(options: SimulatedUpstreamOptions): UpstreamState {
	const clock = options.clock ?? systemClock;
	const secret = randomBytes(24).toString('base64url');
	const registry = new AccountRegistry(clock, secret, options.accessTokenLifetimeMs ?? 10 * 24 * 3_600_000);
	for (const account of options.accounts ?? []) {
		registry.add(account);
	}

	return {
		clock,
		secret,
		clientId: options.clientId ?? CODEX_CLIENT_ID,
		registry,
		intercept: options.intercept,
		settings: {
			deltaCount: options.deltaCount,
			streamChunks: options.streamChunks ?? 1,
			chunkIntervalMs: options.chunkIntervalMs ?? 0,
			reasoningTokens: options.reasoningTokens ?? 16,
			rateLimitsEvent: options.rateLimitsEvent ?? false,
			idleUsedPercent: options.idleUsedPercent ?? 0,
			strict: options.strict ?? true,
			devicePendingPolls: options.devicePendingPolls ?? 1,
			deviceIntervalSeconds: options.deviceIntervalSeconds ?? 0,
			requestCost: options.requestCost ?? defaultRequestCost,
		},
		promptCache: new Map(),
		log: [],
		logLimit: options.logLimit ?? 2000,
		logBodies: options.logBodies ?? true,
		url: '',
	};
}
