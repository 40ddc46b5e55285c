import type {Clock} from '../clock.ts';
import type {Pool} from '../pool/pool.ts';
import {parseWhamUsage} from '../quota/index.ts';
import type {AccountQuota} from '../quota/types.ts';
import type {Random} from '../random.ts';
import type {Engine} from './dispatch.ts';

/** Asks the upstream's `/wham/usage` for one account and records what it says. Undefined when it could not. */
export async function pollUsage(
	engine: Engine,
	pool: Pool,
	clock: Clock,
	accountId: string,
): Promise<AccountQuota | undefined> {
	const answer = await engine.get(accountId, '/wham/usage');
	if (answer === undefined || answer.status !== 200) {
		return undefined;
	}

	let body: unknown;
	try {
		body = JSON.parse(answer.text);
	} catch {
		return undefined;
	}

	const quota = parseWhamUsage(body, clock.now());
	if (quota !== undefined) {
		pool.observeQuota(accountId, quota);
		// A usage-limit sign that named no reset rested the account until this poll: the windows now tell.
		pool.settleQuotaRest(accountId);
	}

	return quota;
}

/**
Polls every account's usage, each on its own jittered period (default 60 s ± 20%) so the polls do not arrive
together. Accounts that need a login or are evicted are skipped. Returns the stop function.
*/
export function startUsagePolling(options: {
	engine: Engine;
	pool: Pool;
	clock: Clock;
	random: Random;
	intervalMs?: number;
	jitter?: number;
}): () => void {
	const {engine, pool, clock, random, intervalMs = 60_000, jitter = 0.2} = options;
	let stopped = false;
	let timer: NodeJS.Timeout | undefined;
	const next = () => intervalMs * (1 - jitter + 2 * jitter * random());
	const tick = async () => {
		for (const account of pool.list()) {
			if (stopped) {
				return;
			}

			const {record, health} = account;
			if (record.needsLogin === undefined && health.status !== 'needs-login' && !record.marks.evicted) {
				await pollUsage(engine, pool, clock, record.id).catch(() => undefined);
			}
		}

		if (!stopped) {
			timer = setTimeout(tick, next() / clock.speed);
			timer.unref();
		}
	};

	timer = setTimeout(tick, next() / clock.speed);
	timer.unref();
	return () => {
		stopped = true;
		clearTimeout(timer);
	};
}
