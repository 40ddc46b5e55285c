import type {SimulatedAccount} from './accounts.ts';
import {interceptBeforeAnswer, interceptedAs} from './apply-intercept.ts';
import {authenticate} from './backend-auth.ts';
import {foreignEncryptedItem, invalidEncryptedContentBody, sealForAccount} from './encrypted.ts';
import {type Exchange, HttpError, readBody, sendJson} from './http.ts';
import {chargeAccount} from './quota.ts';
import {deltaPieces, inputItems, readPrompt, requestedCall, toolNames} from './reply.ts';
import {
	buildResponseFrames,
	chunkString,
	newId,
	type ResponsePlan,
	type ResponseUsage,
} from './response-events.ts';
import {streamResponse} from './response-stream.ts';
import type {UpstreamState} from './state.ts';
import {nextToolRound} from './tool-rounds.ts';
import {rateLimitHeaders, usageLimitBody} from './usage-report.ts';

/** Parameters the ChatGPT backend refuses (upstream-protocol.md §3). */
const REFUSED_PARAMETERS = [
	'max_output_tokens',
	'max_completion_tokens',
	'temperature',
	'top_p',
	'truncation',
	'user',
	'prompt_cache_retention',
];

/** Reads, authenticates and vets a backend request; throws HttpError for every refusal. */
async function admit(state: UpstreamState, exchange: Exchange) {
	const raw = await readBody(exchange);
	let body: Record<string, unknown>;
	try {
		body = JSON.parse(raw.toString('utf8')) as Record<string, unknown>;
	} catch {
		throw new HttpError(400, {
			error: {type: 'invalid_request_error', message: 'The body is not valid JSON.'},
		});
	}

	if (typeof body !== 'object' || body === null || Array.isArray(body)) {
		throw new HttpError(400, {
			error: {type: 'invalid_request_error', message: 'The body must be a JSON object.'},
		});
	}

	if (state.logBodies) {
		exchange.entry.body = body;
	}

	const account = authenticate(state, exchange);
	return {body, account, inputBytes: raw.length};
}

export function checkStrict(body: Record<string, unknown>, isStream: boolean): void {
	if (isStream && body.stream !== true) {
		throw new HttpError(400, {detail: 'Stream must be set to true'});
	}

	if (body.store !== undefined && body.store !== false) {
		throw new HttpError(400, {detail: 'Store must be set to false'});
	}

	const refused = REFUSED_PARAMETERS.find((name) => body[name] !== undefined);
	if (refused) {
		throw new HttpError(400, {detail: `Unsupported parameter: ${refused}`});
	}
}

/** Refuses exhausted accounts and ciphertext issued by other accounts (`now`: the request's arrival). */
export function checkUsable(
	state: UpstreamState,
	now: number,
	account: SimulatedAccount,
	items: readonly unknown[],
): void {
	const limit = usageLimitBody(account, now, state.settings.idleUsedPercent);
	if (limit) {
		throw new HttpError(429, limit, rateLimitHeaders(account, now, state.settings.idleUsedPercent));
	}

	if (foreignEncryptedItem(items, account.identity.accountId, state.secret) !== undefined) {
		throw new HttpError(400, invalidEncryptedContentBody);
	}
}

/** Usage of a response, with the per-account prompt cache; charges the account at `now`. */
export function meter(
	state: UpstreamState,
	now: number,
	owner: SimulatedAccount,
	body: Record<string, unknown>,
	inputBytes: number,
	outputChars: number,
): ResponseUsage {
	const inputTokens = Math.max(1, Math.ceil(inputBytes / 4));
	const key =
		typeof body.prompt_cache_key === 'string'
			? `${owner.identity.accountId}\0${body.prompt_cache_key}`
			: undefined;
	const cached = key ? Math.min(state.promptCache.get(key) ?? 0, inputTokens) : 0;
	if (key) {
		state.promptCache.delete(key);
		state.promptCache.set(key, inputTokens);
		if (state.promptCache.size > 10_000) {
			state.promptCache.delete(state.promptCache.keys().next().value as string);
		}
	}

	const reasoningTokens = state.settings.reasoningTokens;
	const outputTokens = Math.ceil(outputChars / 4) + reasoningTokens;
	const usage: ResponseUsage = {
		input_tokens: inputTokens,
		input_tokens_details: {cached_tokens: cached},
		output_tokens: outputTokens,
		output_tokens_details: {reasoning_tokens: reasoningTokens},
		total_tokens: inputTokens + outputTokens,
	};
	chargeAccount(owner.windows, state.settings.requestCost(usage), now);
	return usage;
}

/**
What the simulated model answers: a compaction, a function call (a tool round, or one the user asked for), or
`Hello from <account>. ...`. `body.input` is the whole conversation (over WebSocket: after previous_response_id).
*/
export function planResponse(
	state: UpstreamState,
	owner: SimulatedAccount,
	body: Record<string, unknown>,
): ResponsePlan {
	const items = inputItems(body);
	const prompt = readPrompt(items);
	const base = {
		model: typeof body.model === 'string' ? body.model : 'gpt-5.5',
		createdAt: Math.floor(state.clock.now() / 1000),
	};
	const seal = (kind: string) => ({
		encryptedContent: sealForAccount(owner.identity.accountId, kind, state.secret),
	});
	if (prompt.compaction) {
		return {...base, compaction: seal('compaction')};
	}

	const tools = toolNames(body, items);
	const call = nextToolRound(items, prompt.userText, tools) ?? requestedCall(prompt, tools);
	if (call) {
		return {
			...base,
			reasoning: seal('reasoning'),
			functionCall: {name: call.name, argPieces: chunkString(call.args, 8)},
		};
	}

	const text =
		prompt.toolOutput === undefined
			? `Hello from ${owner.name}. You said: ${prompt.userText}`
			: `Hello from ${owner.name}. The tool said: ${prompt.toolOutput}`;
	return {
		...base,
		reasoning: seal('reasoning'),
		message: {pieces: deltaPieces(text, state.settings.deltaCount).pieces},
	};
}

export const outputChars = (plan: ResponsePlan) =>
	(plan.message?.pieces.join('').length ?? 0) +
	(plan.functionCall?.argPieces.join('').length ?? 0) +
	(plan.compaction ? 64 : 0);

/** `POST /backend-api/codex/responses`: an SSE stream, or the error the real backend would give. */
export async function handleResponses(state: UpstreamState, exchange: Exchange): Promise<void> {
	const {body, account: owner, inputBytes} = await admit(state, exchange);
	if (state.settings.strict) {
		checkStrict(body, true);
	}

	const interception = state.intercept?.(interceptedAs(state, owner, 'responses'));
	if (interception && (await interceptBeforeAnswer(exchange, interception)) === 'answered') {
		return;
	}

	checkUsable(state, exchange.entry.at, owner, inputItems(body));
	const plan = planResponse(state, owner, body);
	const frames = buildResponseFrames(plan);
	const usage = meter(state, exchange.entry.at, owner, body, inputBytes, outputChars(plan));
	await streamResponse(state, exchange, owner, frames, usage, interception?.stream);
}

/** `POST /backend-api/codex/responses/compact`: `{output: [...the user messages, one compaction item]}`. */
export async function handleCompact(state: UpstreamState, exchange: Exchange): Promise<void> {
	const {body, account: owner, inputBytes} = await admit(state, exchange);
	if (state.settings.strict) {
		checkStrict(body, false);
	}

	const items = inputItems(body);
	checkUsable(state, exchange.entry.at, owner, items);
	meter(state, exchange.entry.at, owner, body, inputBytes, 64);
	const kept = items.filter((item) => item.type === 'message' && item.role === 'user');
	const compaction = {
		type: 'compaction',
		id: newId('cmp'),
		encrypted_content: sealForAccount(owner.identity.accountId, 'compaction', state.secret),
	};
	sendJson(
		exchange,
		200,
		{output: [...kept, compaction]},
		rateLimitHeaders(owner, exchange.entry.at, state.settings.idleUsedPercent),
	);
}
