import {createHash} from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import {setTimeout as sleep} from 'node:timers/promises';

/** A lock older than this belongs to a process that died mid-refresh (a refresh times out after 30 s). */
const staleMs = 60_000;
const pollMs = 50;

/**
Runs `task` while holding `<home>/.refresh-<account>.lock`, so that two codexpool processes sharing a home
(a daemon and a control center, say) never send the same refresh token at once. A lock left by a dead
process is taken over once it is older than a minute.
*/
export async function withRefreshLock<T>(
	home: string,
	accountId: string,
	task: () => Promise<T>,
): Promise<T> {
	const name = createHash('sha256').update(accountId).digest('hex').slice(0, 16);
	const file = path.join(home, `.refresh-${name}.lock`);
	const deadline = Date.now() + 2 * staleMs;
	for (;;) {
		try {
			fs.writeFileSync(file, `${process.pid}\n`, {flag: 'wx', mode: 0o600});
			break;
		} catch (error) {
			if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
				// Cannot lock (read-only home?): refresh anyway rather than not at all.
				return task();
			}
		}

		if (isStale(file) || Date.now() > deadline) {
			fs.rmSync(file, {force: true});
			continue;
		}

		await sleep(pollMs);
	}

	try {
		return await task();
	} finally {
		fs.rmSync(file, {force: true});
	}
}

function isStale(file: string): boolean {
	try {
		return Date.now() - fs.statSync(file).mtimeMs > staleMs;
	} catch {
		return false;
	}
}
