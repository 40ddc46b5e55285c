import {setTimeout as delay} from 'node:timers/promises';
import type {SimulatedAccount} from './accounts.ts';
import {expiredTokenError} from './backend-auth.ts';
import {invalidEncryptedContentBody} from './encrypted.ts';
import type {FaultSpec} from './faults.ts';
import {type Exchange, HttpError} from './http.ts';
import type {UpstreamState} from './state.ts';
import {rateLimitHeaders} from './usage-report.ts';

/** The error answer of each status fault, in the real backend's words. */
const FAULT_ANSWERS: Partial<
	Record<FaultSpec['kind'], (account: SimulatedAccount, state: UpstreamState) => HttpError>
> = {
	usage_limit_reached(account, state) {
		const headers = rateLimitHeaders(account, state.clock.now(), state.settings.idleUsedPercent);
		const resetsAt = Number(headers['x-codex-primary-reset-at']);
		const resetsIn = Number(headers['x-codex-primary-reset-after-seconds']);
		const error = {message: 'The usage limit has been reached', plan_type: account.identity.plan};
		return new HttpError(
			429,
			{error: {type: 'usage_limit_reached', ...error, resets_at: resetsAt, resets_in_seconds: resetsIn}},
			{...headers, 'x-codex-primary-used-percent': '100'},
		);
	},
	rate_limit_exceeded: () =>
		new HttpError(429, {
			error: {
				type: 'rate_limit_exceeded',
				code: 'rate_limit_exceeded',
				message: 'Rate limit reached for requests. Please try again in 1.5s.',
			},
		}),
	server_is_overloaded: () =>
		new HttpError(503, {
			error: {
				type: 'server_error',
				code: 'server_is_overloaded',
				message: 'Our servers are currently overloaded. Please try again later.',
			},
		}),
	server_error: () =>
		new HttpError(500, {
			error: {type: 'server_error', code: null, message: 'An error occurred while processing your request.'},
		}),
	unauthorized: () => expiredTokenError(),
	invalid_encrypted_content: () => new HttpError(400, invalidEncryptedContentBody),
};

/**
Applies a fault that strikes before the answer: a status fault throws its HttpError, a reset cuts the
connection ('answered'), a slow first byte waits. Faults inside the stream are left to the stream writer.
*/
export async function applyFault(
	state: UpstreamState,
	exchange: Exchange,
	account: SimulatedAccount,
	fault: FaultSpec,
): Promise<'answered' | 'continue'> {
	exchange.entry.fault = fault.kind;
	const answer = FAULT_ANSWERS[fault.kind];
	if (answer) {
		throw answer(account, state);
	}

	if (fault.kind === 'reset_before_first_byte') {
		exchange.req.socket.destroy();
		return 'answered';
	}

	if (fault.kind === 'slow_first_byte') {
		await delay(fault.delayMs ?? 1000);
	}

	return 'continue';
}
