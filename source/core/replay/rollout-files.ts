import fs from 'node:fs/promises';
import path from 'node:path';

const ROLLOUT = /^rollout-.*\.jsonl(\.zst)?$/;

/**
The rollout files under one Codex home: `sessions/**` and `archived_sessions/`, plain or `.jsonl.zst`. Where a
plain file sits beside its compressed copy the plain one wins, as in Codex. Files last written before `since`
(ms) hold nothing newer and are left out. Sorted by path, so runs are reproducible.
*/
export async function findRolloutFiles(codexHome: string, since: number): Promise<string[]> {
	const found: string[] = [];
	for (const folder of ['sessions', 'archived_sessions']) {
		await walk(path.join(codexHome, folder), found);
	}

	const plain = new Set(found.filter((file) => file.endsWith('.jsonl')));
	const chosen: string[] = [];
	for (const file of found) {
		if (file.endsWith('.zst') && plain.has(file.slice(0, -'.zst'.length))) continue;
		const stat = await fs.stat(file).catch(() => undefined);
		if (stat === undefined || stat.mtimeMs < since) continue;
		chosen.push(file);
	}

	return chosen.sort();
}

async function walk(folder: string, into: string[]): Promise<void> {
	let entries: import('node:fs').Dirent[];
	try {
		entries = await fs.readdir(folder, {withFileTypes: true});
	} catch {
		return;
	}

	for (const entry of entries) {
		const full = path.join(folder, entry.name);
		if (entry.isDirectory()) await walk(full, into);
		else if (entry.isFile() && ROLLOUT.test(entry.name)) into.push(full);
	}
}
