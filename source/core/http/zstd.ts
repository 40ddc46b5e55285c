import {promisify} from 'node:util';
import zlib from 'node:zlib';

/** Codex compresses its request bodies at zstd's default level. */
const LEVEL = 3;

type WasmCompress = (data: Uint8Array, level?: number) => Uint8Array;

/** Node 22.15+ has zstd in zlib; Node 20 does not, and its @types do not know it. */
const builtIn = (
	zlib as unknown as {
		zstdCompress?: (data: Buffer, callback: (error: Error | null, result: Buffer) => void) => void;
	}
).zstdCompress;
const compressBuiltIn = builtIn === undefined ? undefined : promisify(builtIn);

let wasm: Promise<WasmCompress> | undefined;

/**
The WebAssembly build of the reference zstd library, loaded on first use (a body the pool changed while the client
had compressed it: rare, only when a session moves). In the bundle its `zstd.wasm` sits next to the chunks.
*/
async function loadWasm(): Promise<WasmCompress> {
	const module = await import('@bokuweb/zstd-wasm');
	await module.init();
	return module.compress;
}

/** Compresses a request body with zstd, as Codex CLI does before it sends one. */
export async function compressZstd(data: Buffer): Promise<Buffer> {
	if (compressBuiltIn !== undefined) {
		return compressBuiltIn(data);
	}

	wasm ??= loadWasm();
	const compress = await wasm;
	return Buffer.from(compress(data, LEVEL));
}
