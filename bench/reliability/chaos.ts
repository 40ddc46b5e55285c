import {request} from 'undici';
import type {Random} from '../../source/core/random.ts';
import type {FaultKind, FaultSpec, FaultyUpstream} from '../../test/helpers/faults.ts';

/**
The faults the soak injects, each with its chance per upstream request: every kind the simulated upstream
knows on the model request but `usage_limit_reached`, and passing failures of the token refresh. `scale`
multiplies every chance. A usage limit rests its account until the window resets (up to 5 clock hours, 30 s
at 600x), so a chance per request would soon rest the whole pool: the soak injects it a few times instead.
*/
export function soakFaults(scale = 1): FaultSpec[] {
	const responses: [FaultKind, number][] = [
		['reset_before_first_byte', 0.012],
		['reset_after_first_byte', 0.01],
		['server_error', 0.01],
		['server_is_overloaded', 0.008],
		['rate_limit_exceeded', 0.005],
		['unauthorized', 0.004],
		['slow_first_byte', 0.01],
		['malformed_sse', 0.01],
		['stream_cut', 0.01],
		['response_failed_rate_limit', 0.004],
		['invalid_encrypted_content', 0.004],
	];
	const token: [FaultKind, number][] = [
		['server_error', 0.08],
		['reset_before_first_byte', 0.05],
		['slow_first_byte', 0.05],
	];
	return [
		...responses.map(
			([kind, probability]): FaultSpec => ({
				kind,
				probability: probability * scale,
				...(kind === 'slow_first_byte' ? {delayMs: 400} : {}),
			}),
		),
		...token.map(
			([kind, probability]): FaultSpec => ({
				kind,
				target: 'token',
				probability: probability * scale,
				...(kind === 'slow_first_byte' ? {delayMs: 300} : {}),
			}),
		),
	];
}

/** What the chaos did while the load ran. */
export type ChaosCounts = {
	/** Admin actions sent through the core's API, by action, and how many it refused. */
	actions: Record<string, number>;
	actionsRefused: number;
	/** `expireAccessTokens` calls on the upstream. */
	tokenExpiries: number;
};

/**
Meanwhile, what a user and the world do to the pool: every `actionEveryMs` one account is drained, evicted or
restored through the admin API (at most one account marked at a time, so the pool never runs dry by our
hand), and every `expireEveryMs` one account's access tokens expire upstream. Returns the stop function.
*/
export function startChaos(options: {
	proxyUrl: string;
	upstream: FaultyUpstream;
	accountNames: readonly string[];
	random: Random;
	actionEveryMs: number;
	expireEveryMs: number;
	counts: ChaosCounts;
}): () => Promise<void> {
	const {upstream, accountNames, random, counts} = options;
	const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
	const simulatedNames = upstream.accounts.list().map((account) => account.name);
	let marked: string | undefined;
	let pending = Promise.resolve();

	const act = async () => {
		let name: string;
		let action: string;
		if (marked === undefined) {
			name = pick(accountNames);
			action = random() < 0.5 ? 'drain' : 'evict';
			marked = name;
		} else {
			name = marked;
			action = 'restore';
			marked = undefined;
		}

		counts.actions[action] = (counts.actions[action] ?? 0) + 1;
		try {
			const answer = await request(`${options.proxyUrl}/api/accounts/${encodeURIComponent(name)}/${action}`, {
				method: 'POST',
				headers: {'content-type': 'application/json'},
				body: '{}',
			});
			await answer.body.dump();
			if (answer.statusCode !== 200) {
				counts.actionsRefused++;
			}
		} catch {
			counts.actionsRefused++;
		}
	};

	const actions = setInterval(() => {
		pending = pending.then(act);
	}, options.actionEveryMs);
	const expiries = setInterval(() => {
		upstream.accounts.expireAccessTokens(pick(simulatedNames));
		counts.tokenExpiries++;
	}, options.expireEveryMs);

	return async () => {
		clearInterval(actions);
		clearInterval(expiries);
		await pending;
		if (marked !== undefined) {
			const name = marked;
			marked = undefined;
			counts.actions.restore = (counts.actions.restore ?? 0) + 1;
			const answer = await request(`${options.proxyUrl}/api/accounts/${encodeURIComponent(name)}/restore`, {
				method: 'POST',
				headers: {'content-type': 'application/json'},
				body: '{}',
			});
			await answer.body.dump();
		}
	};
}
