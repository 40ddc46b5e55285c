/**
What one WebSocket connection remembers of its conversation, so that the pool can always say what full input
a `response.create` stands for, and send that full input to another account (or to a new upstream socket)
when the session moves, without the client resending anything.

Codex sends only the new items plus `previous_response_id` when the new input starts with the previous
request's input followed by the previous response's output items (`websocket.md`, `get_incremental_items`).
So the full input of an incremental request is: the previous full input, the previous output items, the new
items. Only the latest response is kept (the backend keeps only that one too, and Codex chains only from it).

Items are kept as their JSON text: a long conversation's items are held once, compactly, and rebuilt into a
body only when the session actually needs its full input (a move, a reopened socket).
*/
export type Expansion =
	/** The full input, as JSON texts of its items. */
	| {readonly known: true; readonly items: readonly string[]}
	/** The request chains from a response this connection does not hold: its full input is unknown. */
	| {readonly known: false};

/** The request fields that must not change for an incremental request (`websocket.md`). */
const CHAINED_FIELDS = [
	'model',
	'instructions',
	'tools',
	'tool_choice',
	'parallel_tool_calls',
	'reasoning',
	'store',
	'stream',
	'include',
	'service_tier',
	'prompt_cache_key',
	'text',
] as const;

/** The fields Codex compares, as one text (order fixed), to tell whether a request may chain. */
export function chainedFields(body: Readonly<Record<string, unknown>>): string {
	return JSON.stringify(CHAINED_FIELDS.map((field) => body[field] ?? null));
}

/**
An item as Codex compares it: Codex compares the items it parsed, so the pool compares their meaning, not
their text: keys in any order, without the per-turn metadata Codex adds to messages, without the `status` an
output item carries (Codex does not send it back) and without null fields (Codex sends `content: null`).
*/
export function comparable(item: string): string {
	return JSON.stringify(canonical(JSON.parse(item) as unknown, true));
}

function canonical(value: unknown, top: boolean): unknown {
	if (Array.isArray(value)) {
		return value.map((entry) => canonical(entry, false));
	}

	if (typeof value !== 'object' || value === null) {
		return value;
	}

	const result: Record<string, unknown> = {};
	for (const key of Object.keys(value).sort()) {
		const entry = (value as Record<string, unknown>)[key];
		if (
			entry === null ||
			entry === undefined ||
			(top && (key === 'status' || key === 'internal_chat_message_metadata_passthrough'))
		) {
			continue;
		}

		result[key] = canonical(entry, false);
	}

	return result;
}

export class ConversationMemory {
	/** Whether `incremental` is asked (it compares the request fields, which cost a serialisation per response). */
	readonly #compareFields: boolean;
	#input: readonly string[] = [];
	#output: string[] = [];
	#responseId: string | undefined;
	#fields: string | undefined;

	constructor(options: {readonly compareFields?: boolean} = {}) {
		this.#compareFields = options.compareFields ?? true;
	}

	/** The id of the latest completed response (what the next request may chain from). */
	get responseId(): string | undefined {
		return this.#responseId;
	}

	/** Bytes held (JSON text of the remembered items), for the benchmark's memory per session. */
	get heldBytes(): number {
		let bytes = 0;
		for (const item of this.#input) {
			bytes += item.length;
		}

		for (const item of this.#output) {
			bytes += item.length;
		}

		return bytes;
	}

	/** Whether the full input of `body` is known: it chains from nothing or from the latest response. */
	holds(body: Readonly<Record<string, unknown>>): boolean {
		const previous = body.previous_response_id;
		return previous === undefined || previous === null || previous === this.#responseId;
	}

	/** The full input `body` stands for, as JSON texts of its items (none when it is not held). */
	fullInput(body: Readonly<Record<string, unknown>>): readonly string[] {
		const expansion = this.expand(body);
		return expansion.known ? expansion.items : [];
	}

	/** The full input `body` stands for (its own input, after the remembered conversation when it chains). */
	expand(body: Readonly<Record<string, unknown>>): Expansion {
		const own = itemTexts(body.input);
		const previous = body.previous_response_id;
		if (previous === undefined || previous === null) {
			return {known: true, items: own};
		}

		if (previous !== this.#responseId) {
			return {known: false};
		}

		return {known: true, items: [...this.#input, ...this.#output, ...own]};
	}

	/** A response completed: remember the full input it answered and its output items. */
	remember(
		body: Readonly<Record<string, unknown>>,
		items: readonly string[],
		responseId: string,
		output: readonly string[],
	): void {
		this.#input = items;
		this.#output = [...output];
		this.#responseId = responseId;
		this.#fields = this.#compareFields ? chainedFields(body) : undefined;
	}

	/** Forgets everything (the next request must carry its full input). */
	clear(): void {
		this.#input = [];
		this.#output = [];
		this.#responseId = undefined;
		this.#fields = undefined;
	}

	/**
	Codex's rule, for a client that sends full inputs (HTTP): the items to send after `previous_response_id`
	when `items` extends the remembered input and output and the fields are unchanged; undefined otherwise (always
	for a memory made without `compareFields`).
	*/
	incremental(
		body: Readonly<Record<string, unknown>>,
		items: readonly string[],
	): {readonly previousResponseId: string; readonly items: readonly string[]} | undefined {
		if (this.#responseId === undefined || this.#fields !== chainedFields(body)) {
			return undefined;
		}

		const prefix = [...this.#input, ...this.#output];
		if (items.length < prefix.length) {
			return undefined;
		}

		for (let index = 0; index < prefix.length; index++) {
			const item = items[index]!;
			const known = prefix[index]!;
			if (item !== known && comparable(item) !== comparable(known)) {
				return undefined;
			}
		}

		return {previousResponseId: this.#responseId, items: items.slice(prefix.length)};
	}
}

/** The items of an `input` as JSON texts (a string input is one user message, as the backend reads it). */
export function itemTexts(input: unknown): string[] {
	if (typeof input === 'string') {
		return [JSON.stringify({type: 'message', role: 'user', content: [{type: 'input_text', text: input}]})];
	}

	if (!Array.isArray(input)) {
		return [];
	}

	return input.map((item) => JSON.stringify(item));
}

/**
The body to send when the full input must go (a new upstream socket, another account): the client's fields,
the full input, and no `previous_response_id`.
*/
export function fullBody(
	body: Readonly<Record<string, unknown>>,
	items: readonly string[],
): Record<string, unknown> {
	const {previous_response_id: _dropped, ...rest} = body;
	return {...rest, input: items.map((item) => JSON.parse(item) as unknown)};
}
