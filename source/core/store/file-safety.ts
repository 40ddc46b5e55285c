import fs from 'node:fs';
import path from 'node:path';

const staleTempMs = 60_000;

/** The store file could not be used; it was moved aside (never silently replaced). */
export class StoreCorruptError extends Error {
	override name = 'StoreCorruptError';
	/** Where the file went. */
	readonly aside: string;
	/** Why, in a few words (never the file's content). */
	readonly reason: string;
	constructor(message: string, aside: string, reason: string) {
		super(message);
		this.aside = aside;
		this.reason = reason;
	}
}

/**
Moves a store file that cannot be used out of the way and returns the error to throw. Errors other than bad
content (permissions, disk) leave the file where it is.
*/
export function setAside(file: string, error: unknown): Error {
	const reason = describeBadContent(error);
	if (reason === undefined) {
		const message = error instanceof Error ? error.message : String(error);
		return new Error(`Cannot read the codexpool store ${file}: ${message}`);
	}

	const stamp = new Date().toISOString().replaceAll(':', '-');
	const aside = `${file}.corrupt-${stamp}`;
	fs.renameSync(file, aside);
	return new StoreCorruptError(
		`The codexpool store ${file} is damaged (${reason}). It was moved to ${aside} and nothing was overwritten. ` +
			'If you can repair that copy, move it back; otherwise add your accounts again with ' +
			'`codexpool import PATH` or `codexpool login` (settings start from their defaults).',
		aside,
		reason,
	);
}

function describeBadContent(error: unknown): string | undefined {
	if (error instanceof SyntaxError) {
		// JSON.parse's message quotes the file's text, which holds tokens: never repeat it.
		return 'it is not valid JSON';
	}

	if (error instanceof Error && error.message.startsWith('Config schema violation:')) {
		return `it does not match the expected shape: ${error.message.slice('Config schema violation: '.length)}`;
	}

	return undefined;
}

export function fileSignature(file: string): string {
	try {
		const stat = fs.statSync(file);
		return `${stat.ino}:${stat.size}:${stat.mtimeMs}`;
	} catch {
		return 'missing';
	}
}

export function tightenMode(file: string): void {
	try {
		if ((fs.statSync(file).mode & 0o077) !== 0) {
			fs.chmodSync(file, 0o600);
		}
	} catch {
		// A missing file is created with 0600 by the first write.
	}
}

/** Temp files of writes that were killed midway (atomically names them `<file>.tmp-<stamp>`). */
export function removeStaleTempFiles(home: string, storeFileName: string): void {
	const now = Date.now();
	for (const name of fs.readdirSync(home)) {
		if (!name.startsWith(`${storeFileName}.tmp-`)) {
			continue;
		}

		const file = path.join(home, name);
		try {
			if (now - fs.statSync(file).mtimeMs > staleTempMs) {
				fs.unlinkSync(file);
			}
		} catch {
			// Another process may have just renamed or removed it.
		}
	}
}

/** Freezes an object and everything in it (the store hands out its cached data). */
export function deepFreeze<T>(value: T): T {
	if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
		Object.freeze(value);
		for (const child of Object.values(value)) {
			deepFreeze(child);
		}
	}

	return value;
}
