import {compressZstd} from '../http/zstd.ts';

/** A request body as it goes upstream: its bytes, and `zstd` when they are compressed. */
export type WireBody = {
	readonly bytes: string | Buffer;
	readonly zstd: boolean;
};

/**
The bytes to send for `sent`, the body after the pool's changes. A client that compressed its body (Codex CLI
sends zstd) gets its own bytes forwarded when the pool changed nothing, which is every turn of a session that
stays on its account; when the pool changed it (a move stripped another account's items), it is compressed again.
A plain client's body goes plain.
*/
export async function wireBody(
	request: {readonly body: Readonly<Record<string, unknown>>; readonly sentZstd?: Buffer | undefined},
	sent: Readonly<Record<string, unknown>>,
): Promise<WireBody> {
	if (request.sentZstd === undefined) {
		return {bytes: JSON.stringify(sent), zstd: false};
	}

	if (sent === request.body) {
		return {bytes: request.sentZstd, zstd: true};
	}

	return {bytes: await compressZstd(Buffer.from(JSON.stringify(sent))), zstd: true};
}

/** The headers that say how `wire` is encoded, added to the upstream request's. */
export function withEncoding(headers: Record<string, string>, wire: WireBody): Record<string, string> {
	return wire.zstd ? {...headers, 'content-encoding': 'zstd'} : headers;
}
