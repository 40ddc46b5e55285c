import {type Collected, emptyCollected} from './collected.ts';
import {findHistoryFiles, readPoolHistory} from './pool-history.ts';
import {findRolloutFiles} from './rollout-files.ts';
import {parseRolloutFile} from './rollout-parser.ts';

const READ_BYTES = 1 << 20;

export type CollectOptions = {
	/** Codex homes whose `sessions/` and `archived_sessions/` are read. */
	readonly codexHomes: readonly string[];
	/** The pool's history folder (`<home>/history`), or undefined to leave it out. */
	readonly poolHistory: string | undefined;
	/** Only what happened from this time on (ms since the epoch). */
	readonly since: number;
};

/**
Reads every rollout of every home, then the pool's own history (leaving out sessions the rollouts already
had), one file at a time and each as a stream.
*/
export async function collect(options: CollectOptions): Promise<Collected> {
	const collected = emptyCollected();
	const sessionsRead = new Set<string>();
	const files: string[] = [];
	for (const home of options.codexHomes) files.push(...(await findRolloutFiles(home, options.since)));
	const buffer = Buffer.allocUnsafe(READ_BYTES);
	for (const file of files) parseRolloutFile(file, collected, {since: options.since, sessionsRead, buffer});

	if (options.poolHistory !== undefined) {
		const files = await findHistoryFiles(options.poolHistory);
		await readPoolHistory(files, collected, {
			since: options.since,
			skipSessions: new Set(collected.sessionAccounts.keys()),
		});
	}

	return collected;
}
