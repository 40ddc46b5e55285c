import {createHash} from 'node:crypto';

/** Where a session's identity came from (first match wins, in this order). */
export type SessionSource = 'header' | 'prompt_cache_key' | 'content-hash';

export type SessionIdentity = {readonly id: string; readonly source: SessionSource};

/** Header names that name a session, in the order `architecture.md` gives them. */
const SESSION_HEADERS = [
	'session-id',
	'session_id',
	'thread-id',
	'thread_id',
	'x-codex-session-id',
	'conversation_id',
	'conversation-id',
] as const;

const PREFIX_CHARS = 512;

/**
A client's conversation, as `architecture.md` defines it: the `session-id`/`session_id` header,
`thread-id`, `x-codex-session-id`/`conversation_id`, the body's `prompt_cache_key`, or else a hash of the
first 512 characters of the instructions and of the first user input (stable across the turns of one
conversation, since clients resend the whole history).
*/
export function sessionIdentity(
	headers: Readonly<Record<string, string | undefined>>,
	body: Readonly<Record<string, unknown>>,
): SessionIdentity {
	for (const name of SESSION_HEADERS) {
		const value = headers[name]?.trim();
		if (value) {
			return {id: value, source: 'header'};
		}
	}

	if (typeof body.prompt_cache_key === 'string' && body.prompt_cache_key !== '') {
		return {id: body.prompt_cache_key, source: 'prompt_cache_key'};
	}

	const instructions = typeof body.instructions === 'string' ? body.instructions.slice(0, PREFIX_CHARS) : '';
	const hash = createHash('sha256')
		.update(instructions)
		.update('\u0000')
		.update(firstUserText(body.input).slice(0, PREFIX_CHARS))
		.digest('hex')
		.slice(0, 32);
	return {id: `h-${hash}`, source: 'content-hash'};
}

function firstUserText(input: unknown): string {
	if (typeof input === 'string') {
		return input;
	}

	if (!Array.isArray(input)) {
		return '';
	}

	for (const item of input) {
		if (typeof item !== 'object' || item === null || (item as {role?: unknown}).role !== 'user') {
			continue;
		}

		const {content} = item as {content?: unknown};
		if (typeof content === 'string') {
			return content;
		}

		if (Array.isArray(content)) {
			return content
				.map((part) =>
					typeof (part as {text?: unknown})?.text === 'string' ? (part as {text: string}).text : '',
				)
				.join('');
		}
	}

	return '';
}
