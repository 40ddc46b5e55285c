import type {Random} from '../random.ts';

/**
What can go wrong on `POST /backend-api/codex/responses`:
- `usage_limit_reached`: 429 with the usage-limit body (the account's real quota is untouched);
- `rate_limit_exceeded`: 429 `{"error":{"type":"rate_limit_exceeded",...}}`;
- `server_is_overloaded`: 503; `server_error`: 500; `unauthorized`: 401;
- `reset_before_first_byte`: the socket is destroyed after the body was read, before any status;
- `reset_after_first_byte`: status, headers and `response.created` go out, then the socket is destroyed;
- `slow_first_byte`: waits `delayMs` real milliseconds (default 1000), then answers normally;
- `malformed_sse`: a `data:` line that is not JSON appears mid-stream; the stream then completes;
- `stream_cut`: the stream ends cleanly (chunked terminator) before `response.completed`;
- `response_failed_rate_limit`: `response.failed` with `rate_limit_exceeded`, "try again in 1.5s";
- `response_failed_usage_limit`: half the output goes out, then a terminal `response.failed` with
  `usage_limit_reached`, "The usage limit has been reached" and the reset (as opencodex #3795 saw from the
  real backend mid-stream; the account's real quota is untouched);
- `invalid_encrypted_content`: 400 with the backend's body.
*/
export type FaultKind =
	| 'usage_limit_reached'
	| 'rate_limit_exceeded'
	| 'server_is_overloaded'
	| 'server_error'
	| 'unauthorized'
	| 'reset_before_first_byte'
	| 'reset_after_first_byte'
	| 'slow_first_byte'
	| 'malformed_sse'
	| 'stream_cut'
	| 'response_failed_rate_limit'
	| 'response_failed_usage_limit'
	| 'invalid_encrypted_content';

export const FAULT_KINDS: readonly FaultKind[] = [
	'usage_limit_reached',
	'rate_limit_exceeded',
	'server_is_overloaded',
	'server_error',
	'unauthorized',
	'reset_before_first_byte',
	'reset_after_first_byte',
	'slow_first_byte',
	'malformed_sse',
	'stream_cut',
	'response_failed_rate_limit',
	'response_failed_usage_limit',
	'invalid_encrypted_content',
];

/** Where a fault strikes: the model request (default), or the issuer's `/oauth/token` refresh grant. */
export type FaultTarget = 'responses' | 'token';

/** Kinds that make sense on `/oauth/token` (a status, a reset, a delay). */
export const TOKEN_FAULT_KINDS: readonly FaultKind[] = [
	'rate_limit_exceeded',
	'server_is_overloaded',
	'server_error',
	'unauthorized',
	'reset_before_first_byte',
	'slow_first_byte',
];

/** A fault to inject. Without `times` or `probability` it fires once. */
export type FaultSpec = {
	readonly kind: FaultKind;
	/** Default `responses`. On `token` only TOKEN_FAULT_KINDS are allowed. */
	readonly target?: FaultTarget;
	/** Only requests authorised as this account (its name or its `chatgpt_account_id`); default every account. */
	readonly account?: string;
	/** How many times it fires (default 1, or unlimited when `probability` is given). */
	readonly times?: number;
	/** Chance (0..1) per matching request, drawn from the server's seeded random. */
	readonly probability?: number;
	/** For `slow_first_byte`: real milliseconds before the first byte (default 1000). */
	readonly delayMs?: number;
};

/** A fault once injected: how often it fired, and a way to withdraw it. */
export type FaultHandle = {
	readonly id: number;
	readonly spec: FaultSpec;
	readonly fired: () => number;
	readonly remaining: () => number;
	readonly cancel: () => void;
};

type ActiveFault = {id: number; spec: FaultSpec; fired: number; remaining: number};

/** The faults API of the simulated upstream. */
export type FaultsApi = {
	inject: (spec: FaultSpec) => FaultHandle;
	clear: () => void;
	/** How many times each kind fired since the start. */
	counts: () => Record<FaultKind, number>;
	/** The fault (if any) for a request to `target` made as this account; consumes one use. */
	take: (account: {name: string; accountId: string}, target?: FaultTarget) => FaultSpec | undefined;
};

export function createFaults(random: Random): FaultsApi {
	let nextId = 1;
	let active: ActiveFault[] = [];
	const counts = Object.fromEntries(FAULT_KINDS.map((kind) => [kind, 0])) as Record<FaultKind, number>;

	return {
		inject(spec) {
			if (!FAULT_KINDS.includes(spec.kind)) {
				throw new Error(`Unknown fault kind "${spec.kind}"; known: ${FAULT_KINDS.join(', ')}.`);
			}

			if (spec.target === 'token' && !TOKEN_FAULT_KINDS.includes(spec.kind)) {
				throw new Error(
					`Fault "${spec.kind}" cannot target /oauth/token; these can: ${TOKEN_FAULT_KINDS.join(', ')}.`,
				);
			}

			const fault: ActiveFault = {
				id: nextId++,
				spec,
				fired: 0,
				remaining: spec.times ?? (spec.probability === undefined ? 1 : Number.POSITIVE_INFINITY),
			};
			active.push(fault);
			return {
				id: fault.id,
				spec,
				fired: () => fault.fired,
				remaining: () => fault.remaining,
				cancel() {
					active = active.filter((other) => other !== fault);
				},
			};
		},
		clear() {
			active = [];
		},
		counts: () => ({...counts}),
		take(account, target = 'responses') {
			for (const fault of active) {
				const {spec} = fault;
				if (fault.remaining <= 0 || (spec.target ?? 'responses') !== target) {
					continue;
				}

				if (
					spec.account !== undefined &&
					spec.account !== account.name &&
					spec.account !== account.accountId
				) {
					continue;
				}

				if (spec.probability !== undefined && random() >= spec.probability) {
					continue;
				}

				fault.remaining--;
				fault.fired++;
				counts[spec.kind]++;
				if (fault.remaining <= 0) {
					active = active.filter((other) => other !== fault);
				}

				return spec;
			}

			return undefined;
		},
	};
}
