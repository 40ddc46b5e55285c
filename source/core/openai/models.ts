import type {Settings} from '../store/types.ts';
import {OpenAiError} from './errors.ts';

/** What the front door needs of one upstream model (`GET /backend-api/codex/models` → `models[]`). */
export type UpstreamModel = {readonly slug: string; readonly visibility?: string | undefined};

/** The pool's view of the upstream model list (cached by the engine); throws or returns [] when unknown. */
export type ModelCatalog = () => Promise<readonly UpstreamModel[]>;

type ModelSettings = Settings['models'];

/**
The ids `/v1/models` shows: with `publish` empty, every upstream model listed for users (not hidden);
otherwise the named ones the upstream knows, in the order given. Aliases follow, when their target exists.
*/
export function publishedModelIds(upstream: readonly UpstreamModel[], settings: ModelSettings): string[] {
	const known = new Set(upstream.map((model) => model.slug));
	const base =
		settings.publish.length === 0
			? upstream.filter((model) => model.visibility !== 'hide').map((model) => model.slug)
			: settings.publish.filter((slug) => known.has(slug));
	const aliases = Object.entries(settings.aliases)
		.filter(([, target]) => known.has(target))
		.map(([alias]) => alias);
	return [...new Set([...base, ...aliases])];
}

/**
The upstream slug to send for the model a client named. Aliases map to their target. When the upstream list
is known, a model it lacks (or, with `publish` set, one not published) is a 404 `model_not_found`, refused
before anything goes upstream; when the list is unknown the name passes and the upstream judges it.
*/
export function resolveModel(
	requested: string,
	upstream: readonly UpstreamModel[] | undefined,
	settings: ModelSettings,
): string {
	const target = settings.aliases[requested] ?? requested;
	if (upstream === undefined || upstream.length === 0) {
		return target;
	}

	const isAlias = settings.aliases[requested] !== undefined;
	const knownUpstream = upstream.some((model) => model.slug === target);
	const allowed =
		knownUpstream && (isAlias || settings.publish.length === 0 || settings.publish.includes(target));
	if (!allowed) {
		const available = publishedModelIds(upstream, settings);
		throw new OpenAiError(
			404,
			`The model \`${requested}\` does not exist in this pool. Available: ${available.join(', ') || 'none'}.`,
			{
				type: 'invalid_request_error',
				code: 'model_not_found',
				param: 'model',
			},
		);
	}

	return target;
}

/** The `/v1/models` body. `created` is 0: the upstream does not say when a model was made. */
export function modelListBody(ids: readonly string[]): {
	object: 'list';
	data: Array<Record<string, unknown>>;
} {
	return {object: 'list', data: ids.map((id) => ({id, object: 'model', created: 0, owned_by: 'codexpool'}))};
}
