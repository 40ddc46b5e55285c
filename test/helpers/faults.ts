import {createRandom, type Random} from '../../source/core/random.ts';
import {expiredTokenError} from '../../source/core/simulated-backend/backend-auth.ts';
import {invalidEncryptedContentBody} from '../../source/core/simulated-backend/encrypted.ts';
import {
	type InterceptedRequest,
	type Interception,
	type SimulatedUpstream,
	type SimulatedUpstreamOptions,
	startSimulatedUpstream,
} from '../../source/core/simulated-backend/index.ts';
import {sseEvent} from '../../source/core/sse/frame.ts';

/**
What can go wrong on `POST /backend-api/codex/responses`, injected through the simulated backend's
`intercept` hook (the backend itself never misbehaves):
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
export type FaultTarget = InterceptedRequest['target'];

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
	/** Chance (0..1) per matching request, drawn from the faults' seeded random. */
	readonly probability?: number;
	/** For `slow_first_byte`: real milliseconds before the first byte (default 1000). */
	readonly delayMs?: number;
	/**
	For `usage_limit_reached` and `response_failed_usage_limit`: the error carries no reset (no `resets_at`,
	no `resets_in_seconds`) and the 429's quota headers are the account's own, not shown at 100 %.
	*/
	readonly withoutReset?: boolean;
};

/** A fault once injected: how often it fired, and a way to withdraw it. */
export type FaultHandle = {
	readonly id: number;
	readonly spec: FaultSpec;
	readonly fired: () => number;
	readonly remaining: () => number;
	readonly cancel: () => void;
};

export type FaultsApi = {
	inject: (spec: FaultSpec) => FaultHandle;
	clear: () => void;
	/** How many times each kind fired since the start. */
	counts: () => Record<FaultKind, number>;
	/** The simulated backend's `intercept` option: the fault (if any) for each request, one use consumed. */
	intercept: (request: InterceptedRequest) => Interception | undefined;
};

const statusAnswer = (status: number, error: Record<string, unknown>) => ({status, body: {error}});

/** The reset a usage-limit error carries: the primary window's, from the account's quota headers. */
const resetsOf = (headers: Record<string, string>) => ({
	resets_at: Number(headers['x-codex-primary-reset-at']),
	resets_in_seconds: Number(headers['x-codex-primary-reset-after-seconds']),
});

/** What each fault makes of a request, in the real backend's words. */
function interception(spec: FaultSpec, request: InterceptedRequest): Interception {
	const label = spec.kind;
	switch (spec.kind) {
		case 'usage_limit_reached': {
			const headers = request.rateLimitHeaders();
			const error = {
				type: 'usage_limit_reached',
				message: 'The usage limit has been reached',
				plan_type: request.account.plan,
				...(spec.withoutReset ? {} : resetsOf(headers)),
			};
			return {
				label,
				answer: {
					status: 429,
					body: {error},
					headers: spec.withoutReset ? headers : {...headers, 'x-codex-primary-used-percent': '100'},
				},
			};
		}

		case 'rate_limit_exceeded':
			return {
				label,
				answer: statusAnswer(429, {
					type: 'rate_limit_exceeded',
					code: 'rate_limit_exceeded',
					message: 'Rate limit reached for requests. Please try again in 1.5s.',
				}),
			};
		case 'server_is_overloaded':
			return {
				label,
				answer: statusAnswer(503, {
					type: 'server_error',
					code: 'server_is_overloaded',
					message: 'Our servers are currently overloaded. Please try again later.',
				}),
			};
		case 'server_error':
			return {
				label,
				answer: statusAnswer(500, {
					type: 'server_error',
					code: null,
					message: 'An error occurred while processing your request.',
				}),
			};
		case 'unauthorized': {
			const error = expiredTokenError();
			return {label, answer: {status: error.status, body: error.body}};
		}

		case 'invalid_encrypted_content':
			return {label, answer: {status: 400, body: invalidEncryptedContentBody}};
		case 'reset_before_first_byte':
			return {label, reset: true};
		case 'slow_first_byte':
			return {label, delayMs: spec.delayMs ?? 1000};
		case 'reset_after_first_byte':
			return {label, stream: (planned) => ({head: planned.head, rest: [], ending: 'reset'})};
		case 'response_failed_rate_limit':
			return {
				label,
				stream: (planned) => ({
					head: planned.head,
					rest: [
						planned.failed(
							'rate_limit_exceeded',
							'Rate limit reached for requests. Please try again in 1.5s.',
						),
					],
					ending: 'end',
				}),
			};
		case 'response_failed_usage_limit':
			return {
				label,
				stream: (planned) => {
					// Output already on its way to the client, then the terminal usage-limit event.
					const headers = request.rateLimitHeaders();
					const visible = planned.body.slice(0, Math.max(1, Math.floor(planned.body.length / 2)));
					const failed = planned.failed('usage_limit_reached', 'The usage limit has been reached', {
						type: 'usage_limit_reached',
						...(spec.withoutReset ? {} : resetsOf(headers)),
					});
					return {head: planned.head, rest: [...visible, failed], ending: 'end'};
				},
			};
		case 'malformed_sse':
			return {
				label,
				stream: (planned) => {
					const rest = [...planned.body, planned.completed];
					const broken = sseEvent(
						'{"type":"response.output_text.delta","delta":',
						'response.output_text.delta',
					);
					rest.splice(Math.floor(planned.body.length / 2), 0, broken);
					return {head: planned.head, rest, ending: 'end'};
				},
			};
		case 'stream_cut':
			return {label, stream: (planned) => ({head: planned.head, rest: [...planned.body], ending: 'end'})};
	}
}

type ActiveFault = {id: number; spec: FaultSpec; fired: number; remaining: number};

/** Injectable faults; `random` decides the probabilistic ones. */
export function createFaults(random: Random = createRandom(1, 7)): FaultsApi {
	let nextId = 1;
	let active: ActiveFault[] = [];
	const counts = Object.fromEntries(FAULT_KINDS.map((kind) => [kind, 0])) as Record<FaultKind, number>;

	const take = (request: InterceptedRequest): FaultSpec | undefined => {
		const {account, target} = request;
		for (const fault of active) {
			const {spec} = fault;
			if (fault.remaining <= 0 || (spec.target ?? 'responses') !== target) {
				continue;
			}

			if (spec.account !== undefined && spec.account !== account.name && spec.account !== account.accountId) {
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
	};

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
		intercept(request) {
			const spec = take(request);
			return spec === undefined ? undefined : interception(spec, request);
		},
	};
}

/** A simulated upstream with faults to inject. */
export type FaultyUpstream = SimulatedUpstream & {readonly faults: FaultsApi};

/**
The simulated upstream (started with `options`) with the fault catalogue on its intercept hook; `seed`
decides the probabilistic faults (default 1).
*/
export async function startFaultyUpstream(
	options: SimulatedUpstreamOptions & {readonly seed?: number} = {},
): Promise<FaultyUpstream> {
	const {seed, ...rest} = options;
	const faults = createFaults(createRandom(seed ?? 1, 7));
	const upstream = await startSimulatedUpstream({...rest, intercept: faults.intercept});
	return Object.assign(upstream, {faults});
}
