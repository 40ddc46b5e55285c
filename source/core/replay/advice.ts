import {analyse} from './analysis.ts';
import {collect} from './collect.ts';
import {describePool} from './report.ts';

const DAY = 86_400_000;
/** Below this much waiting saved in the week, one more account is not worth a notice. */
export const ADVICE_MIN_HOURS = 1;

/**
What the pool's own history of the last 7 days says about one more account: the replay of the pool as it is
(its account count, on its most common plan, with its strategy) against the same pool with one account more.
A sentence for the control center's notices when one more account would have saved at least an hour of
waiting, else undefined.
*/
export async function weeklyAdvice(options: {
	historyFolder: string;
	plans: readonly string[];
	strategy: string;
	scheduler: string;
	now: number;
}): Promise<string | undefined> {
	if (options.plans.length === 0) return undefined;
	const collected = await collect({
		codexHomes: [],
		poolHistory: options.historyFolder,
		since: options.now - 7 * DAY,
	});
	if (collected.requests.length === 0) return undefined;
	const counts = new Map<string, number>();
	for (const plan of options.plans) counts.set(plan, (counts.get(plan) ?? 0) + 1);
	const plan = [...counts].sort((a, b) => b[1] - a[1])[0]![0];
	const size = options.plans.length;
	const analysis = analyse(collected, {
		accounts: [size, size + 1],
		plans: [plan],
		strategies: [options.strategy],
		recommendStrategy: options.strategy,
		movement: true,
		scheduler: options.scheduler,
	});
	const [now, more] = [size, size + 1].map((count) => analysis.whatIf.find((row) => row.accounts === count)!);
	if (now === undefined || more === undefined || now.waitHours - more.waitHours < ADVICE_MIN_HOURS)
		return undefined;
	return (
		`Your last 7 days replayed: one more ${describePool([plan]).replace(/^1 /, '')} would have saved ` +
		`${(now.waitHours - more.waitHours).toFixed(1)} h of waiting (${now.interruptions} interruptions → ` +
		`${more.interruptions}). \`codexpool replay\` shows the details.`
	);
}
