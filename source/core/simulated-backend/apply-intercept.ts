import {setTimeout as delay} from 'node:timers/promises';
import type {SimulatedAccount} from './accounts.ts';
import {type Exchange, HttpError} from './http.ts';
import type {InterceptedRequest, Interception} from './intercept.ts';
import type {UpstreamState} from './state.ts';
import {rateLimitHeaders} from './usage-report.ts';

// How the route handlers consult the intercept hook (intercept.ts says what it is).

/**
Applies what comes before the answer: the wait, an answer in the backend's place (thrown as its HttpError),
a cut connection ('answered'). 'continue' lets the backend answer.
*/
export async function interceptBeforeAnswer(
	exchange: Exchange,
	interception: Interception,
): Promise<'answered' | 'continue'> {
	exchange.entry.fault = interception.label;
	if (interception.delayMs !== undefined) {
		await delay(interception.delayMs);
	}

	if (interception.answer !== undefined) {
		const {status, body, headers} = interception.answer;
		throw new HttpError(status, body, headers);
	}

	if (interception.reset === true) {
		exchange.req.socket.destroy();
		return 'answered';
	}

	return 'continue';
}

/** What the interceptor is shown of a request made as `account`. */
export function interceptedAs(
	state: UpstreamState,
	account: SimulatedAccount,
	target: InterceptedRequest['target'],
): InterceptedRequest {
	return {
		target,
		account: {name: account.name, accountId: account.identity.accountId, plan: account.identity.plan},
		rateLimitHeaders: () => rateLimitHeaders(account, state.clock.now(), state.settings.idleUsedPercent),
	};
}
