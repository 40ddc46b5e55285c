/**
Reading a Responses request the way the simulated model needs to: the last thing the user said, a tool
output to answer, and the tool the user asked to be called.
*/

type Item = Record<string, unknown>;

/** `input` as a list of items (a bare string is one user message, as the Responses API allows). */
export function inputItems(body: Record<string, unknown>): Item[] {
	const {input} = body;
	if (typeof input === 'string') {
		return [{type: 'message', role: 'user', content: input}];
	}

	return Array.isArray(input)
		? input.filter((item): item is Item => typeof item === 'object' && item !== null)
		: [];
}

function contentText(content: unknown): string {
	if (typeof content === 'string') {
		return content;
	}

	if (!Array.isArray(content)) {
		return '';
	}

	return content
		.map((part) => {
			const {text} = (part ?? {}) as {text?: unknown};
			return typeof text === 'string' ? text : '';
		})
		.join('');
}

const isUserMessage = (item: Item) =>
	item.role === 'user' && (item.type === undefined || item.type === 'message');

/** What the simulated model answers to. */
export type Prompt = {
	/** The last user message's text ('' when there is none). */
	readonly userText: string;
	/** The output of a tool call that came after the last user message, if any: answer it, do not call again. */
	readonly toolOutput: string | undefined;
	/** The last item is `{type: 'compaction_trigger'}` (remote compaction v2). */
	readonly compaction: boolean;
};

export function readPrompt(items: readonly Item[]): Prompt {
	let userIndex = -1;
	let outputIndex = -1;
	items.forEach((item, index) => {
		if (isUserMessage(item)) {
			userIndex = index;
		}

		if (item.type === 'function_call_output' || item.type === 'custom_tool_call_output') {
			outputIndex = index;
		}
	});
	const output = outputIndex > userIndex ? items[outputIndex]?.output : undefined;
	return {
		userText: userIndex >= 0 ? contentText(items[userIndex]?.content) : '',
		toolOutput:
			outputIndex > userIndex
				? typeof output === 'string'
					? output
					: contentText(output) || JSON.stringify(output)
				: undefined,
		compaction: items.at(-1)?.type === 'compaction_trigger',
	};
}

/** Names of the function tools offered (top-level `tools`, chat-style `function.name`, or `additional_tools` items). */
export function toolNames(body: Record<string, unknown>, items: readonly Item[]): Set<string> {
	const lists: unknown[] = [
		body.tools,
		...items.filter((item) => item.type === 'additional_tools').map((item) => item.tools),
	];
	const names = new Set<string>();
	for (const list of lists) {
		for (const tool of Array.isArray(list) ? list : []) {
			const {
				type,
				name,
				function: fn,
			} = (tool ?? {}) as {type?: unknown; name?: unknown; function?: {name?: unknown}};
			const toolName = typeof name === 'string' ? name : fn?.name;
			// Only function tools: a custom (freeform) or namespace tool is not called with JSON arguments.
			if (typeof toolName === 'string' && (type === undefined || type === 'function')) {
				names.add(toolName);
			}
		}
	}

	return names;
}

/**
The call the user asked for: "call NAME" optionally followed by a JSON object of arguments, when NAME is an
offered tool. Without a JSON object the arguments are `{"text": <the user's text>}`.
*/
export function requestedCall(prompt: Prompt, tools: Set<string>): {name: string; args: string} | undefined {
	if (prompt.toolOutput !== undefined) {
		return undefined;
	}

	// A name may hold dots and dashes but does not end with one ("call get_weather." names get_weather).
	const match = /\bcall\s+([\w-]+(?:\.[\w-]+)*)(?:\s+(\{[\s\S]*\}))?/.exec(prompt.userText);
	const name = match?.[1];
	if (!name || !tools.has(name)) {
		return undefined;
	}

	const json = match[2];
	if (json) {
		try {
			return {name, args: JSON.stringify(JSON.parse(json))};
		} catch {
			// Not JSON after all: fall back to the text.
		}
	}

	return {name, args: JSON.stringify({text: prompt.userText})};
}

const FILLER =
	'Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore et dolore magna aliqua.'.split(
		' ',
	);

/**
Splits `text` into delta pieces: one per word by default; with `count`, exactly `count` pieces (filler
words are appended when the text is too short, words are grouped when it is too long).
*/
export function deltaPieces(text: string, count: number | undefined): {text: string; pieces: string[]} {
	const words = text.match(/\s*\S+/g) ?? [text];
	if (count === undefined || count <= 0) {
		return {text, pieces: words};
	}

	for (let i = 0; words.length < count; i++) {
		words.push(` ${FILLER[i % FILLER.length]}`);
	}

	const pieces: string[] = [];
	for (let i = 0; i < count; i++) {
		pieces.push(
			words
				.slice(Math.floor((i * words.length) / count), Math.floor(((i + 1) * words.length) / count))
				.join(''),
		);
	}

	return {text: pieces.join(''), pieces};
}
