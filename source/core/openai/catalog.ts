import type {Clock} from '../clock.ts';
import type {ModelCatalog, UpstreamModel} from './models.ts';

/** A GET to the upstream for one account, as the engine offers it (`Engine.get`). */
export type AccountGet = (
	accountId: string,
	path: string,
) => Promise<{status: number; headers: Record<string, string>; text: string} | undefined>;

/** The Codex version sent as `client_version`: the backend lists only models this client may use. */
const clientVersion = '0.171.0';

/**
The upstream model list for `/v1/models` and model checks: fetched with the first account that answers (usable
accounts first, as `accountIds` orders them), kept for `cacheMs`. Throws when no account could fetch it, so the
handlers can answer 503 on `/v1/models` and let requests through to the upstream's own judgement.
*/
export function createModelCatalog(options: {
	get: AccountGet;
	accountIds: () => readonly string[];
	clock: Clock;
	cacheMs?: number;
}): ModelCatalog {
	const cacheMs = options.cacheMs ?? 5 * 60_000;
	let cached: {at: number; models: readonly UpstreamModel[]} | undefined;
	return async () => {
		const now = options.clock.now();
		if (cached !== undefined && now - cached.at < cacheMs) {
			return cached.models;
		}

		for (const accountId of options.accountIds()) {
			const answer = await options.get(accountId, `/codex/models?client_version=${clientVersion}`);
			const models = answer?.status === 200 ? parseModels(answer.text) : undefined;
			if (models !== undefined) {
				cached = {at: now, models};
				return models;
			}
		}

		throw new Error('No account in the pool could fetch the model list.');
	};
}

/** `{models: [{slug, visibility}]}` → the list; undefined when the text is not that shape. */
export function parseModels(text: string): UpstreamModel[] | undefined {
	try {
		const body = JSON.parse(text) as {models?: unknown};
		if (!Array.isArray(body.models)) {
			return undefined;
		}

		return body.models.flatMap((entry: {slug?: unknown; visibility?: unknown}) =>
			typeof entry?.slug === 'string'
				? [
						{
							slug: entry.slug,
							visibility: typeof entry.visibility === 'string' ? entry.visibility : undefined,
						},
					]
				: [],
		);
	} catch {
		return undefined;
	}
}
