import {randomUUID} from 'node:crypto';
import {request} from 'undici';
import type {Clock} from '../clock.ts';
import {readResponsesEvents} from '../sse/responses-events.ts';
import {chooseKickModel, type KickModel, type ListedModel, parseListedModels} from './kick-model.ts';
import type {KickOutcome} from './types.ts';

/** The Codex version sent as `client_version` when listing models (the list depends on it). */
const CLIENT_VERSION = '0.171.0';

export type KickSenderOptions = {
	/** The ChatGPT backend base, e.g. `https://chatgpt.com/backend-api` (`CODEXPOOL_UPSTREAM`). */
	readonly backendUrl: string;
	/** The account's current access token (the token manager's `getAccessToken`). Never logged. */
	readonly getAccessToken: (accountId: string) => Promise<string>;
	/** Model to use when the list names no cheap one (default `gpt-5.5`). */
	readonly fallbackModel?: string;
	readonly clock: Clock;
	/** How long a fetched model list is kept, in clock ms (default 1 h). */
	readonly modelsCacheMs?: number;
	/** Real ms a kick may take before it is given up (default 60 s). */
	readonly timeoutMs?: number;
};

/**
The kick: the smallest real request the upstream accepts, sent with the account's own token. POST
{backend}/codex/responses with the cheapest listed model at its lowest effort, a one-word input,
`store:false`, `stream:true`; the stream is read to its end and the cost (tokens, the used-percent headers)
recorded. Resolves with the outcome, never rejects; tokens appear in no message.
*/
export function createKickSender(options: KickSenderOptions): (accountId: string) => Promise<KickOutcome> {
	const fallback = options.fallbackModel ?? 'gpt-5.5';
	const cacheMs = options.modelsCacheMs ?? 60 * 60_000;
	const timeoutMs = options.timeoutMs ?? 60_000;
	const base = options.backendUrl.replace(/\/+$/, '');
	let models: {at: number; list: ListedModel[]} | undefined;

	const headersFor = (token: string, accountId: string) => ({
		authorization: `Bearer ${token}`,
		'chatgpt-account-id': accountId,
		originator: 'codexpool',
		'user-agent': 'codexpool-scheduler',
	});

	const listModels = async (token: string, accountId: string): Promise<ListedModel[] | undefined> => {
		const now = options.clock.now();
		if (models && now - models.at < cacheMs) {
			return models.list;
		}

		try {
			const answer = await request(`${base}/codex/models?client_version=${CLIENT_VERSION}`, {
				headers: headersFor(token, accountId),
				headersTimeout: timeoutMs,
				bodyTimeout: timeoutMs,
			});
			const text = await answer.body.text();
			const list = answer.statusCode === 200 ? parseListedModels(text) : undefined;
			if (list) {
				models = {at: now, list};
			}

			return list;
		} catch {
			// No list: the configured model will do.
			return undefined;
		}
	};

	return async (accountId) => {
		const started = performance.now();
		const failed = (detail: string, status?: number, model?: string, effort?: string): KickOutcome => ({
			ok: false,
			status,
			model,
			effort,
			inputTokens: 0,
			outputTokens: 0,
			rateLimitHeaders: {},
			durationMs: performance.now() - started,
			detail,
		});

		let token: string;
		try {
			token = await options.getAccessToken(accountId);
		} catch (error) {
			return failed(`no access token (${messageOf(error)}); log in to this account again if it persists`);
		}

		const chosen = chooseKickModel(await listModels(token, accountId), fallback);
		const {model, effort} = chosen;
		try {
			const answer = await request(`${base}/codex/responses`, {
				method: 'POST',
				headers: {
					...headersFor(token, accountId),
					accept: 'text/event-stream',
					'content-type': 'application/json',
					'session-id': randomUUID(),
					...(chosen.responsesLite ? {'x-openai-internal-codex-responses-lite': 'true'} : {}),
				},
				body: JSON.stringify(kickBody(chosen)),
				headersTimeout: timeoutMs,
				bodyTimeout: timeoutMs,
			});
			const rateLimitHeaders = codexHeaders(answer.headers);
			if (answer.statusCode !== 200) {
				const text = await answer.body.text();
				const outcome = failed(
					`the upstream answered ${answer.statusCode}: ${errorText(text)}`,
					answer.statusCode,
					model,
					effort,
				);
				return {...outcome, rateLimitHeaders};
			}

			let usage: {input_tokens?: unknown; output_tokens?: unknown} | undefined;
			let streamError: string | undefined;
			for await (const event of readResponsesEvents(answer.body)) {
				if (event.type === 'response.completed') {
					usage = (event.response as {usage?: typeof usage} | undefined)?.usage;
				} else if (event.type === 'response.failed') {
					const error = (event.response as {error?: {message?: unknown}} | undefined)?.error;
					streamError = typeof error?.message === 'string' ? error.message : 'response.failed';
				}
			}

			if (!usage) {
				const outcome = failed(
					`the stream ended without response.completed${streamError ? ` (${streamError})` : ''}`,
					200,
					model,
					effort,
				);
				return {...outcome, rateLimitHeaders};
			}

			const inputTokens = numberOr0(usage.input_tokens);
			const outputTokens = numberOr0(usage.output_tokens);
			const used = rateLimitHeaders['x-codex-primary-used-percent'];
			return {
				ok: true,
				status: 200,
				model,
				effort,
				inputTokens,
				outputTokens,
				rateLimitHeaders,
				durationMs: performance.now() - started,
				detail: `${model} (${effort}): ${inputTokens} input + ${outputTokens} output tokens${used === undefined ? '' : `; primary window ${used}% used`}`,
			};
		} catch (error) {
			return failed(
				`the request failed (${messageOf(error)}); is the upstream reachable?`,
				undefined,
				model,
				effort,
			);
		}
	};
}

/**
The request body of a kick: one word in, the least reasoning, nothing stored. Instructions are the model's
own when the list gives them (placed as Codex places them: a developer message for responses-lite models).
*/
export function kickBody(chosen: KickModel) {
	const instructions = chosen.instructions ?? 'Reply with one word.';
	const user = {type: 'message', role: 'user', content: [{type: 'input_text', text: 'hi'}]};
	const developer = {type: 'message', role: 'developer', content: [{type: 'input_text', text: instructions}]};
	return {
		model: chosen.model,
		...(chosen.responsesLite ? {} : {instructions}),
		input: chosen.responsesLite ? [developer, user] : [user],
		reasoning: {effort: chosen.effort},
		store: false,
		stream: true,
		include: [],
	};
}

function codexHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
	const picked: Record<string, string> = {};
	for (const [name, value] of Object.entries(headers)) {
		if (name.startsWith('x-codex-') && value !== undefined) {
			picked[name] = Array.isArray(value) ? value.join(', ') : value;
		}
	}

	return picked;
}

/** The upstream's own words from an error body (`{error:{message}}` or `{detail}`), kept short. */
function errorText(text: string): string {
	try {
		const body = JSON.parse(text) as {error?: {message?: unknown; type?: unknown}; detail?: unknown};
		const message = body.error?.message ?? body.detail ?? body.error?.type;
		if (typeof message === 'string') {
			return message.slice(0, 200);
		}
	} catch {
		// Not JSON: fall through to the raw text.
	}

	return text.slice(0, 200) || 'no details';
}

function numberOr0(value: unknown): number {
	return typeof value === 'number' && Number.isFinite(value) ? value : 0;
}

function messageOf(error: unknown): string {
	return error instanceof Error ? error.message : String(error);
}
