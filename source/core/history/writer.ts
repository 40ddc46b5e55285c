import fs from 'node:fs/promises';
import path from 'node:path';
import {ensurePrivateFolder} from '../home.ts';
import {CURRENT_FILE, type HistoryRecord, ROTATED} from './record.ts';

export type HistoryLimits = {
	/** Rotate the current file once it is this large (bytes). */
	readonly rotateBytes: number;
	/** Delete rotated files whose newest line is older than this many days. */
	readonly retentionDays: number;
	/** Delete the oldest rotated files while all of them together are larger than this (bytes). */
	readonly maxBytes: number;
};

/** About 250 bytes a request: 16 MB is some 60,000 requests; 256 MB caps a year of very heavy use. */
export const DEFAULT_LIMITS: HistoryLimits = {
	rotateBytes: 16 * 1024 * 1024,
	retentionDays: 90,
	maxBytes: 256 * 1024 * 1024,
};

const DAY_MS = 86_400_000;

/** The `at` of a history file's first line (read from its first bytes), or `fallback`. */
async function firstLineTime(file: string, fallback: number): Promise<number> {
	const handle = await fs.open(file, 'r');
	try {
		const buffer = Buffer.alloc(512);
		const {bytesRead} = await handle.read(buffer, 0, buffer.length, 0);
		const match = /"at":(\d+)/.exec(buffer.toString('utf8', 0, bytesRead));
		return match === null ? fallback : Number(match[1]);
	} finally {
		await handle.close();
	}
}

/** The retention the user set (`codexpool replay --keep-days N`), kept beside the history. */
export const RETENTION_FILE = 'retention.json';

export async function readRetentionDays(folder: string): Promise<number | undefined> {
	try {
		const value = JSON.parse(await fs.readFile(path.join(folder, RETENTION_FILE), 'utf8')) as {
			days?: unknown;
		};
		return typeof value.days === 'number' && value.days > 0 ? value.days : undefined;
	} catch {
		return undefined;
	}
}

export async function writeRetentionDays(folder: string, days: number): Promise<void> {
	ensurePrivateFolder(folder);
	await fs.writeFile(path.join(folder, RETENTION_FILE), `${JSON.stringify({days})}\n`, {mode: 0o600});
}

/**
Appends records to `<folder>/requests.jsonl` (mode 0600, folder 0700) one write at a time, in order. Rotates
the file when it grows past `rotateBytes` and then prunes rotated files by age and total size. A failed write
is reported once through `onError` and never stops the proxy.
*/
export class HistoryWriter {
	readonly #folder: string;
	readonly #limits: HistoryLimits;
	readonly #now: () => number;
	readonly #onError: (error: unknown) => void;
	#queue: Promise<void> = Promise.resolve();
	#size: number | undefined;
	/** When the current file got its first line: it is rotated daily too, so retention works by the day. */
	#startedAt = 0;
	#failed = false;

	constructor(options: {
		folder: string;
		limits?: Partial<HistoryLimits>;
		now: () => number;
		onError?: (error: unknown) => void;
	}) {
		this.#folder = options.folder;
		this.#limits = {...DEFAULT_LIMITS, ...options.limits};
		this.#now = options.now;
		this.#onError = options.onError ?? (() => {});
	}

	append(record: HistoryRecord): void {
		const line = `${JSON.stringify(record)}\n`;
		this.#queue = this.#queue
			.then(async () => this.#write(line))
			.catch((error: unknown) => {
				if (!this.#failed) this.#onError(error);
				this.#failed = true;
			});
	}

	/** Resolves when every record appended so far is on disk. */
	async flush(): Promise<void> {
		await this.#queue;
	}

	async #write(line: string): Promise<void> {
		const file = path.join(this.#folder, CURRENT_FILE);
		if (this.#size === undefined) {
			ensurePrivateFolder(this.#folder);
			this.#size = (await fs.stat(file).catch(() => undefined))?.size ?? 0;
			this.#startedAt = this.#size === 0 ? this.#now() : await firstLineTime(file, this.#now());
			await this.#prune();
		}

		await fs.appendFile(file, line, {mode: 0o600});
		this.#size += Buffer.byteLength(line);
		if (this.#size >= this.#limits.rotateBytes || this.#now() - this.#startedAt >= DAY_MS) {
			await fs.rename(file, path.join(this.#folder, `requests-${this.#now()}.jsonl`));
			this.#size = 0;
			this.#startedAt = this.#now();
			await this.#prune();
		}
	}

	/** Drops rotated files past the retention, then the oldest while the total is over the bound. */
	async #prune(): Promise<void> {
		const retention = (await readRetentionDays(this.#folder)) ?? this.#limits.retentionDays;
		const cutoff = this.#now() - retention * DAY_MS;
		const names = (await fs.readdir(this.#folder)).filter((name) => ROTATED.test(name));
		const rotated = await Promise.all(
			names.map(async (name) => {
				const stat = await fs.stat(path.join(this.#folder, name));
				return {name, size: stat.size, newest: stat.mtimeMs};
			}),
		);
		rotated.sort((a, b) => a.newest - b.newest);
		let total = rotated.reduce((sum, file) => sum + file.size, 0);
		for (const file of rotated) {
			if (file.newest >= cutoff && total <= this.#limits.maxBytes) break;
			await fs.rm(path.join(this.#folder, file.name), {force: true});
			total -= file.size;
		}
	}
}
