import {readFile, rm, writeFile} from 'node:fs/promises';
import path from 'node:path';
import {request} from 'undici';

/** What a running daemon writes into its home so commands and the TUI find it. */
export type DaemonInfo = {
	readonly url: string;
	/** Its HTTPS listener (Codex's built-in provider), when it has one. */
	readonly tlsUrl?: string | undefined;
	readonly pid: number;
	readonly startedAt: number;
};

const fileName = 'daemon.json';

export async function writeDaemonInfo(home: string, info: DaemonInfo): Promise<void> {
	await writeFile(path.join(home, fileName), `${JSON.stringify(info, null, '\t')}\n`, {mode: 0o600});
}

/** Removes the file, but only if it still names this process (a newer daemon may have replaced it). */
export async function removeDaemonInfo(home: string, pid = process.pid): Promise<void> {
	const info = await readDaemonInfo(home);
	if (info?.pid === pid) {
		await rm(path.join(home, fileName), {force: true});
	}
}

async function readDaemonInfo(home: string): Promise<DaemonInfo | undefined> {
	try {
		const value = JSON.parse(await readFile(path.join(home, fileName), 'utf8')) as Partial<DaemonInfo>;
		if (typeof value.url === 'string' && typeof value.pid === 'number') {
			return {
				url: value.url,
				...(typeof value.tlsUrl === 'string' ? {tlsUrl: value.tlsUrl} : {}),
				pid: value.pid,
				startedAt: value.startedAt ?? 0,
			};
		}
	} catch {}

	return undefined;
}

/**
The daemon serving this home, if one is alive and answers `/healthz`; a stale file left by a killed daemon
is ignored.
*/
export async function findDaemon(home: string): Promise<DaemonInfo | undefined> {
	const info = await readDaemonInfo(home);
	if (info === undefined || !isAlive(info.pid)) {
		return undefined;
	}

	try {
		const {statusCode, body} = await request(`${info.url}/healthz`, {
			headersTimeout: 1500,
			bodyTimeout: 1500,
		});
		await body.dump();
		return statusCode === 200 ? info : undefined;
	} catch {
		return undefined;
	}
}

function isAlive(pid: number): boolean {
	try {
		process.kill(pid, 0);
		return true;
	} catch (error) {
		// EPERM: it exists but belongs to someone else.
		return (error as NodeJS.ErrnoException).code === 'EPERM';
	}
}
