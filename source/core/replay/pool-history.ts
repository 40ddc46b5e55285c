import fs from 'node:fs/promises';
import path from 'node:path';
import {CURRENT_FILE, parseHistoryLine, ROTATED} from '../history/record.ts';
import type {Collected} from './collected.ts';
import {streamFile} from './line-reader.ts';

/** The pool's history files in a folder, oldest first (rotated files by their time, then the current one). */
export async function findHistoryFiles(folder: string): Promise<string[]> {
	const names = await fs.readdir(folder).catch(() => [] as string[]);
	const rotated = names
		.filter((name) => ROTATED.test(name))
		.sort((a, b) => Number(a.slice(9, -6)) - Number(b.slice(9, -6)));
	return [...rotated, ...(names.includes(CURRENT_FILE) ? [CURRENT_FILE] : [])].map((name) =>
		path.join(folder, name),
	);
}

/**
Reads the pool's own request history into `into`: requests with their tokens, a reading per new quota
observation, the pool's 429s as limit hits, and every request as a turn start (the pool sees requests, not
turns). Sessions already read from Codex's rollouts (`skipSessions`) are left out: the same conversation
through the pool is in both.
*/
export async function readPoolHistory(
	files: readonly string[],
	into: Collected,
	options: {since: number; skipSessions: ReadonlySet<string>},
): Promise<void> {
	const lastReading = new Map<string, number>();
	for (const file of files) {
		const bytes = streamFile(file, {
			decide: () => 'keep',
			skipped: () => {},
			line(buffer) {
				const record = parseHistoryLine(buffer.toString('utf8'));
				if (record === undefined) {
					into.malformedLines++;
					return;
				}

				const session = record.session ?? `pool-${record.at}`;
				if (record.at < options.since || options.skipSessions.has(session)) return;
				const account = record.account ?? 'unknown';
				if (record.plan !== undefined && record.account !== undefined) into.plans.set(account, record.plan);
				if (!into.sessionAccounts.has(session) && record.account !== undefined) {
					into.sessionAccounts.set(session, account);
				}

				into.turnStarts.push({at: record.at, session});
				if (record.limitHit) {
					into.hits.push({at: record.at, session, account});
					return;
				}

				if (record.status < 200 || record.status >= 300 || record.account === undefined) return;
				into.requests.push({
					at: record.at,
					session,
					account,
					input: record.input,
					cachedInput: record.cachedInput,
					output: record.output,
					reasoningOutput: record.reasoningOutput,
				});
				if (record.quotaAt !== undefined && lastReading.get(account) !== record.quotaAt) {
					lastReading.set(account, record.quotaAt);
					// A header reading precedes its request's charge; a poll after the request follows it.
					into.readings.push({
						at: Math.min(record.quotaAt, record.at - 1),
						account,
						fiveHour: record.fiveHour?.used,
						fiveHourResetAt: record.fiveHour?.resetAt,
						weekly: record.weekly?.used,
						weeklyResetAt: record.weekly?.resetAt,
					});
				}
			},
		});
		into.bytes += bytes;
		into.files++;
	}
}
