/** A model as the upstream's `/codex/models` lists it (only the fields a kick needs). */
export type ListedModel = {
	readonly slug: string;
	readonly visibility?: string | undefined;
	readonly supportedEfforts?: readonly string[] | undefined;
	/** The model's own base instructions (`model_messages.instructions_template` or legacy `base_instructions`). */
	readonly instructions?: string | undefined;
	/** Responses-lite models take instructions as a developer message, not in `instructions`. */
	readonly responsesLite?: boolean | undefined;
};

/** What a kick sends: the model, its effort and how to give it instructions. */
export type KickModel = {
	readonly model: string;
	readonly effort: string;
	readonly instructions: string | undefined;
	readonly responsesLite: boolean;
};

/** Reasoning efforts from the least to the most work. */
const EFFORT_ORDER = ['none', 'minimal', 'low', 'medium', 'high', 'xhigh', 'max'];

/*
The list carries no prices. Names do: the small variants (`-nano`, `-mini`, `-spark`, `-luna`) are the
cheap ones in every catalog seen so far (upstream-protocol.md §6); otherwise the configured model is the
user's statement of what is cheap enough.
*/
const CHEAP_HINTS = [/nano/i, /mini/i, /spark/i, /luna/i];

/** `{models: [...]}` from `/codex/models` → the models; undefined when the text is not that shape. */
export function parseListedModels(text: string): ListedModel[] | undefined {
	try {
		const body = JSON.parse(text) as {models?: unknown};
		if (!Array.isArray(body.models)) {
			return undefined;
		}

		return body.models.flatMap((entry: Record<string, unknown> | null) => {
			if (typeof entry?.slug !== 'string') {
				return [];
			}

			const levels = Array.isArray(entry.supported_reasoning_levels) ? entry.supported_reasoning_levels : [];
			const supportedEfforts = levels.flatMap((level: {effort?: unknown} | null) =>
				typeof level?.effort === 'string' ? [level.effort] : [],
			);
			const messages = entry.model_messages as {instructions_template?: unknown} | undefined;
			const instructions = messages?.instructions_template ?? entry.base_instructions;
			return [
				{
					slug: entry.slug,
					visibility: typeof entry.visibility === 'string' ? entry.visibility : undefined,
					supportedEfforts,
					instructions: typeof instructions === 'string' && instructions !== '' ? instructions : undefined,
					responsesLite: entry.use_responses_lite === true,
				},
			];
		});
	} catch {
		return undefined;
	}
}

/**
The model and effort a kick uses: the cheapest listed model by name (see above), else the configured
`fallback` if listed, else the first listed one; the fallback as is when there is no list. At the model's
lowest listed effort (`low` when the list names none), with its own base instructions when listed (the
backend has refused instructions other than Codex's own).
*/
export function chooseKickModel(models: readonly ListedModel[] | undefined, fallback: string): KickModel {
	const listed = (models ?? []).filter(
		(model) => model.visibility === undefined || model.visibility === 'list',
	);
	const hinted = CHEAP_HINTS.map((hint) => listed.find((model) => hint.test(model.slug))).find(Boolean);
	const chosen = hinted ?? listed.find((model) => model.slug === fallback) ?? listed[0];
	return chosen
		? {
				model: chosen.slug,
				effort: lowestEffort(chosen.supportedEfforts),
				instructions: chosen.instructions,
				responsesLite: chosen.responsesLite === true,
			}
		: {model: fallback, effort: 'low', instructions: undefined, responsesLite: false};
}

function lowestEffort(efforts: readonly string[] | undefined): string {
	const known = (efforts ?? []).filter((effort) => EFFORT_ORDER.includes(effort));
	known.sort((a, b) => EFFORT_ORDER.indexOf(a) - EFFORT_ORDER.indexOf(b));
	return known[0] ?? 'low';
}
