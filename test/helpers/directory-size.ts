import {lstatSync, readdirSync} from 'node:fs';
import path from 'node:path';

/** The disk space a folder takes, in bytes, as `du` counts it (allocated blocks, symbolic links not followed). */
export function directorySize(dir: string): number {
	let bytes = lstatSync(dir).blocks * 512;
	for (const entry of readdirSync(dir, {withFileTypes: true})) {
		const full = path.join(dir, entry.name);
		bytes += entry.isDirectory() ? directorySize(full) : lstatSync(full).blocks * 512;
	}

	return bytes;
}
