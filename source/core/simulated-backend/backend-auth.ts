import type {SimulatedAccount} from './accounts.ts';
import {credentials, type Exchange, HttpError} from './http.ts';
import type {UpstreamState} from './state.ts';

const unauthorized = (message: string, code: string | null) =>
	new HttpError(401, {error: {message, type: 'invalid_request_error', param: null, code}});

/** The 401 of an expired access token (also what the tests' `unauthorized` fault answers with). */
export const expiredTokenError = () =>
	unauthorized('Provided authentication token is expired. Please try signing in again.', 'token_expired');

/**
The account a backend request speaks for: a valid, unexpired access token plus a `ChatGPT-Account-ID` naming
the same account (optional only where the real backend does not need it). Throws a 401 HttpError otherwise.
*/
export function authenticate(
	state: UpstreamState,
	exchange: Exchange,
	{requireAccountHeader = true} = {},
): SimulatedAccount {
	const {authorization, accountId} = credentials(exchange);
	const check = state.registry.checkAccess(authorization);
	if (!check.ok) {
		switch (check.reason) {
			case 'missing': {
				throw unauthorized('Missing bearer authentication in header', null);
			}

			case 'expired': {
				throw expiredTokenError();
			}

			default: {
				throw unauthorized(
					'Your authentication token has been invalidated. Please try signing in again.',
					'token_invalidated',
				);
			}
		}
	}

	if ((requireAccountHeader || accountId !== undefined) && accountId !== check.account.identity.accountId) {
		throw unauthorized(
			accountId === undefined
				? 'Missing ChatGPT-Account-ID header'
				: 'The ChatGPT-Account-ID header does not match the authentication token',
			'account_mismatch',
		);
	}

	exchange.entry.account = check.account.name;
	return check.account;
}
