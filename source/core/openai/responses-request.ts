import {badRequest} from './errors.ts';

/** Sent as `instructions` when a client gives none: the ChatGPT backend requires the field. */
export const defaultInstructions = 'You are a helpful assistant.';

/** Fields the ChatGPT backend refuses; their effect (limits, sampling) cannot be honoured, so they go. */
const droppedFields = [
	'max_output_tokens',
	'max_completion_tokens',
	'temperature',
	'top_p',
	'truncation',
	'user',
	'prompt_cache_retention',
	'safety_identifier',
	'metadata',
	'store',
] as const;

/** Fields that need state the pool cannot give over `store:false` HTTP: refused with a reason. */
const refusedFields: Record<string, string> = {
	previous_response_id:
		'previous_response_id is not supported: the pool does not store responses (store:false upstream). Send the whole conversation in `input`.',
	conversation:
		'conversation is not supported: the pool does not store conversations. Send the whole conversation in `input`.',
	background: 'background responses are not supported: the pool streams every response and stores none.',
	prompt:
		'Stored prompt templates (`prompt`) are not supported: send the text in `instructions` and `input`.',
};

const messageRoles = new Set(['user', 'assistant', 'system', 'developer']);

/** What the client asked for besides the body: whether it wants a stream back. */
export type NormalisedResponses = {readonly body: Record<string, unknown>; readonly stream: boolean};

/**
Turns a client's `/v1/responses` body into what the ChatGPT backend accepts: `stream:true`, `store:false`,
refused fields removed, `system` messages as `developer`, a string `input` as one user message, shorthand
messages given their `type`, and `instructions` supplied. A body that is not a valid request is a 400 here,
before anything goes upstream. `model` is the upstream slug (aliases already resolved).
*/
export function normaliseResponsesBody(raw: unknown, model: string): NormalisedResponses {
	const source = requireObject(raw);
	for (const [field, reason] of Object.entries(refusedFields)) {
		if (source[field] !== undefined && source[field] !== null && source[field] !== false) {
			throw badRequest(reason, field, 'unsupported_parameter');
		}
	}

	if (source.stream !== undefined && typeof source.stream !== 'boolean') {
		throw badRequest('`stream` must be a boolean.', 'stream');
	}

	const body: Record<string, unknown> = {...source};
	for (const field of [...droppedFields, ...Object.keys(refusedFields)]) {
		delete body[field];
	}

	body.model = model;
	body.input = normaliseInput(source.input);
	if (typeof source.instructions !== 'string' || source.instructions.trim() === '') {
		if (
			source.instructions !== undefined &&
			source.instructions !== null &&
			typeof source.instructions !== 'string'
		) {
			throw badRequest('`instructions` must be a string.', 'instructions');
		}

		body.instructions = defaultInstructions;
	}

	const streamOptions = normaliseStreamOptions(source.stream_options);
	if (streamOptions === undefined) {
		delete body.stream_options;
	} else {
		body.stream_options = streamOptions;
	}

	// 'auto' and 'default' only say "no preference"; the backend knows 'priority' (and 'flex').
	if (body.service_tier !== 'priority' && body.service_tier !== 'flex') {
		delete body.service_tier;
	}

	// Reasoning comes back encrypted so that a client replaying the output keeps it across turns (store:false).
	if (source.include !== undefined && source.include !== null && !Array.isArray(source.include)) {
		throw badRequest('`include` must be an array of strings.', 'include');
	}

	const include = Array.isArray(source.include)
		? source.include.filter((entry) => typeof entry === 'string')
		: [];
	body.include = [...new Set([...include, 'reasoning.encrypted_content'])];
	body.stream = true;
	body.store = false;
	return {body, stream: source.stream === true};
}

/** Checks what every front door checks first: a JSON object with a model name. */
export function requireObject(raw: unknown): Record<string, unknown> {
	if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
		throw badRequest('The request body must be a JSON object.');
	}

	const body = raw as Record<string, unknown>;
	if (typeof body.model !== 'string' || body.model.trim() === '') {
		throw badRequest('`model` is required: name one of the models `GET /v1/models` lists.', 'model');
	}

	return body;
}

function normaliseInput(input: unknown): unknown[] {
	if (typeof input === 'string') {
		return [{type: 'message', role: 'user', content: [{type: 'input_text', text: input}]}];
	}

	if (!Array.isArray(input)) {
		throw badRequest('`input` is required: a string or an array of input items.', 'input');
	}

	return input.flatMap((item, index) => {
		const normalised = normaliseItem(item, `input[${index}]`);
		// With store:false the backend cannot look up a reasoning item by id: without its encrypted_content it
		// carries nothing the model can use, and the backend refuses it.
		if (normalised.type === 'reasoning' && typeof normalised.encrypted_content !== 'string') {
			return [];
		}

		// Item ids name stored items; nothing is stored (store:false), so they are left out, as Codex does.
		const {id: _id, ...rest} = normalised;
		return [rest];
	});
}

function normaliseItem(item: unknown, param: string): Record<string, unknown> {
	if (typeof item !== 'object' || item === null || Array.isArray(item)) {
		throw badRequest(`${param} must be an object (an input item).`, param);
	}

	const record = item as Record<string, unknown>;
	if (record.type === 'item_reference') {
		throw badRequest(
			`${param}: item references need stored responses, which the pool does not keep. Send the item itself.`,
			param,
			'unsupported_parameter',
		);
	}

	const isMessage = record.type === 'message' || (record.type === undefined && record.role !== undefined);
	if (!isMessage) {
		if (typeof record.type !== 'string') {
			throw badRequest(`${param} needs a \`type\` (or a \`role\` for a message).`, param);
		}

		return record;
	}

	if (typeof record.role !== 'string' || !messageRoles.has(record.role)) {
		throw badRequest(
			`${param}.role must be one of user, assistant, system, developer; got ${JSON.stringify(record.role)}.`,
			`${param}.role`,
		);
	}

	const role = record.role === 'system' ? 'developer' : record.role;
	const content = normaliseContent(record.content, role, `${param}.content`);
	return {...record, type: 'message', role, content};
}

function normaliseContent(content: unknown, role: string, param: string): unknown[] {
	const textType = role === 'assistant' ? 'output_text' : 'input_text';
	if (typeof content === 'string') {
		return [{type: textType, text: content}];
	}

	if (!Array.isArray(content)) {
		throw badRequest(`${param} must be a string or an array of content parts.`, param);
	}

	return content.map((part, index) => {
		if (typeof part !== 'object' || part === null || typeof (part as {type?: unknown}).type !== 'string') {
			throw badRequest(`${param}[${index}] must be a content part with a \`type\`.`, `${param}[${index}]`);
		}

		return part;
	});
}

function normaliseStreamOptions(options: unknown): Record<string, unknown> | undefined {
	if (typeof options !== 'object' || options === null || Array.isArray(options)) {
		return undefined;
	}

	// include_obfuscation is an api.openai.com feature; the backend has its own stream options.
	const {include_obfuscation: _ignored, ...rest} = options as Record<string, unknown>;
	return Object.keys(rest).length === 0 ? undefined : rest;
}
