import {translateMessage} from './chat-messages.ts';
import {badRequest} from './errors.ts';
import {defaultInstructions, requireObject} from './responses-request.ts';

/** What a chat request asked for that shapes the answer rather than the upstream request. */
export type ChatOptions = {readonly stream: boolean; readonly includeUsage: boolean; readonly model: string};

/** A chat request as a Responses body for the ChatGPT backend, plus how to answer the client. */
export type TranslatedChat = {readonly body: Record<string, unknown>; readonly options: ChatOptions};

/**
Chat parameters the backend refuses and whose absence changes nothing a client can rely on (sampling hints,
limits, bookkeeping): dropped, as for `/v1/responses`.
*/
const droppedParams = new Set([
	'temperature',
	'top_p',
	'max_tokens',
	'max_completion_tokens',
	'frequency_penalty',
	'presence_penalty',
	'seed',
	'user',
	'store',
	'metadata',
	'safety_identifier',
	'prompt_cache_retention',
]);

const handledParams = new Set([
	'model',
	'messages',
	'stream',
	'stream_options',
	'tools',
	'tool_choice',
	'parallel_tool_calls',
	'response_format',
	'reasoning_effort',
	'verbosity',
	'service_tier',
	'prompt_cache_key',
	'n',
	'logprobs',
	'top_logprobs',
	'stop',
	'logit_bias',
]);

/** Parameters that would change the answer in ways the backend cannot: refused, each with its reason. */
const refusedParams: Record<string, string> = {
	audio: 'Audio output is not supported: the ChatGPT backend answers in text.',
	modalities: 'Only text output is supported (`modalities: ["text"]`).',
	prediction: 'Predicted outputs (`prediction`) are not supported by the ChatGPT backend.',
	functions: 'The legacy `functions` parameter is not supported: use `tools` with `type: "function"`.',
	function_call: 'The legacy `function_call` parameter is not supported: use `tool_choice`.',
	web_search_options:
		'`web_search_options` is not supported: the pool only runs the tools your client defines.',
};

/**
Translates a `/v1/chat/completions` body to a Responses body. Everything is either mapped, dropped because
the backend refuses it and it is only a hint (sampling, limits), or refused with a 400 that says why.
`model` is the upstream slug (aliases already resolved).
*/
export function chatToResponses(raw: unknown, model: string): TranslatedChat {
	const chat = requireObject(raw);
	for (const [key, value] of Object.entries(chat)) {
		if (value === undefined || value === null || droppedParams.has(key) || handledParams.has(key)) {
			continue;
		}

		if (key === 'modalities' && Array.isArray(value) && value.every((entry) => entry === 'text')) {
			continue;
		}

		throw badRequest(
			refusedParams[key] ?? `Unrecognized request argument supplied: ${key}`,
			key,
			'unsupported_parameter',
		);
	}

	refuseUntranslatable(chat);
	if (chat.stream !== undefined && chat.stream !== null && typeof chat.stream !== 'boolean') {
		throw badRequest('`stream` must be a boolean.', 'stream');
	}

	if (!Array.isArray(chat.messages) || chat.messages.length === 0) {
		throw badRequest('`messages` must be a non-empty array.', 'messages');
	}

	const body: Record<string, unknown> = {
		model,
		instructions: defaultInstructions,
		input: chat.messages.flatMap((message, index) => translateMessage(message, index)),
		stream: true,
		store: false,
	};
	if (chat.tools !== undefined && chat.tools !== null) {
		body.tools = translateTools(chat.tools);
	}

	if (chat.tool_choice !== undefined && chat.tool_choice !== null) {
		body.tool_choice = translateToolChoice(chat.tool_choice);
	}

	if (typeof chat.parallel_tool_calls === 'boolean') {
		body.parallel_tool_calls = chat.parallel_tool_calls;
	}

	const text = translateText(chat.response_format, chat.verbosity);
	if (text !== undefined) {
		body.text = text;
	}

	if (typeof chat.reasoning_effort === 'string') {
		body.reasoning = {effort: chat.reasoning_effort};
	}

	if (chat.service_tier === 'priority' || chat.service_tier === 'flex') {
		body.service_tier = chat.service_tier;
	}

	if (typeof chat.prompt_cache_key === 'string') {
		body.prompt_cache_key = chat.prompt_cache_key;
	}

	const streamOptions = chat.stream_options as {include_usage?: unknown} | null | undefined;
	return {
		body,
		options: {
			stream: chat.stream === true,
			includeUsage: streamOptions?.include_usage === true,
			model: chat.model as string,
		},
	};
}

function refuseUntranslatable(chat: Record<string, unknown>): void {
	if (chat.n !== undefined && chat.n !== null && chat.n !== 1) {
		throw badRequest(
			'Only one choice per request is supported (`n` must be 1): the backend generates one answer per request. Send several requests instead.',
			'n',
			'unsupported_parameter',
		);
	}

	if (
		chat.logprobs === true ||
		(chat.top_logprobs !== undefined && chat.top_logprobs !== null && chat.top_logprobs !== 0)
	) {
		throw badRequest(
			'Log probabilities (`logprobs`, `top_logprobs`) are not available from the ChatGPT backend.',
			'logprobs',
			'unsupported_parameter',
		);
	}

	const stop = chat.stop;
	if (stop !== undefined && stop !== null && !(Array.isArray(stop) && stop.length === 0)) {
		throw badRequest(
			'Stop sequences (`stop`) are not supported by the ChatGPT backend; stop on the client side instead.',
			'stop',
			'unsupported_parameter',
		);
	}

	if (
		chat.logit_bias !== undefined &&
		chat.logit_bias !== null &&
		Object.keys(chat.logit_bias as object).length > 0
	) {
		throw badRequest(
			'`logit_bias` is not supported by the ChatGPT backend.',
			'logit_bias',
			'unsupported_parameter',
		);
	}
}

function translateTools(raw: unknown): unknown[] {
	if (!Array.isArray(raw)) {
		throw badRequest('`tools` must be an array.', 'tools');
	}

	return raw.map((entry, index) => {
		const tool = (entry ?? {}) as {type?: unknown; function?: Record<string, unknown>};
		if (tool.type !== 'function') {
			throw badRequest(
				`tools[${index}]: only \`function\` tools are supported; got ${JSON.stringify(tool.type)}.`,
				`tools[${index}].type`,
				'unsupported_parameter',
			);
		}

		const fn = tool.function;
		if (typeof fn?.name !== 'string' || fn.name === '') {
			throw badRequest(`tools[${index}].function.name is required.`, `tools[${index}].function.name`);
		}

		return {
			type: 'function',
			name: fn.name,
			...(typeof fn.description === 'string' ? {description: fn.description} : {}),
			parameters: fn.parameters ?? {type: 'object', properties: {}},
			...(typeof fn.strict === 'boolean' ? {strict: fn.strict} : {}),
		};
	});
}

function translateToolChoice(raw: unknown): unknown {
	if (raw === 'auto' || raw === 'none' || raw === 'required') {
		return raw;
	}

	const choice = (raw ?? {}) as {
		type?: unknown;
		function?: {name?: unknown};
		allowed_tools?: {mode?: unknown; tools?: unknown};
	};
	if (choice.type === 'function' && typeof choice.function?.name === 'string') {
		return {type: 'function', name: choice.function.name};
	}

	if (choice.type === 'allowed_tools' && Array.isArray(choice.allowed_tools?.tools)) {
		const tools = choice.allowed_tools.tools.map((tool: {function?: {name?: unknown}}) => ({
			type: 'function',
			name: tool.function?.name,
		}));
		return {type: 'allowed_tools', mode: choice.allowed_tools.mode ?? 'auto', tools};
	}

	throw badRequest(
		'`tool_choice` must be "auto", "none", "required", {type:"function", function:{name}} or allowed_tools.',
		'tool_choice',
	);
}

function translateText(format: unknown, verbosity: unknown): Record<string, unknown> | undefined {
	const text: Record<string, unknown> = {};
	if (typeof verbosity === 'string') {
		text.verbosity = verbosity;
	}

	if (format !== undefined && format !== null) {
		const record = format as {type?: unknown; json_schema?: Record<string, unknown>};
		if (record.type === 'json_schema') {
			const schema = record.json_schema;
			if (typeof schema?.name !== 'string') {
				throw badRequest('`response_format.json_schema.name` is required.', 'response_format');
			}

			text.format = {
				type: 'json_schema',
				name: schema.name,
				schema: schema.schema ?? {},
				...(typeof schema.strict === 'boolean' ? {strict: schema.strict} : {}),
				...(typeof schema.description === 'string' ? {description: schema.description} : {}),
			};
		} else if (record.type === 'json_object') {
			text.format = {type: 'json_object'};
		} else if (record.type !== 'text') {
			throw badRequest('`response_format.type` must be text, json_object or json_schema.', 'response_format');
		}
	}

	return Object.keys(text).length === 0 ? undefined : text;
}
