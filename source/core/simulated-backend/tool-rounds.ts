/**
Tool rounds: a user message containing `tool-rounds:N` makes the simulated model call the shell tool the client
offers, one harmless `echo` per response, until N tool outputs follow that message; then it answers. One
`codex exec "… tool-rounds:3"` thus makes 4 model requests in a row, the agentic loop WebSocket mode is for.
*/

type Item = Record<string, unknown>;

/** The shell tools Codex offers, most recent first, and how each takes a command. */
const SHELL_TOOLS: ReadonlyArray<{name: string; args: (command: string) => Record<string, unknown>}> = [
	// Codex 0.171 (custom and built-in provider): unified exec, `{"cmd": "..."}`.
	{name: 'exec_command', args: (command) => ({cmd: command})},
	// Models whose `shell_type` is `shell_command`: one string.
	{name: 'shell_command', args: (command) => ({command})},
	// The older `shell` tool: an argv.
	{name: 'shell', args: (command) => ({command: ['bash', '-lc', command]})},
];

const ROUNDS = /\btool-rounds:(\d{1,3})\b/;

/** N from `tool-rounds:N` in the text, or undefined. */
export function requestedRounds(text: string): number | undefined {
	const match = ROUNDS.exec(text);
	return match?.[1] === undefined ? undefined : Number(match[1]);
}

const isUserMessage = (item: Item) =>
	item.role === 'user' && (item.type === undefined || item.type === 'message');

const isToolOutput = (item: Item) =>
	item.type === 'function_call_output' || item.type === 'custom_tool_call_output';

/** Tool outputs after the last user message: the rounds done so far. */
export function roundsDone(items: readonly Item[]): number {
	let done = 0;
	for (let index = items.length - 1; index >= 0; index--) {
		const item = items[index] as Item;
		if (isUserMessage(item)) {
			break;
		}

		if (isToolOutput(item)) {
			done++;
		}
	}

	return done;
}

/**
The next shell call of a tool loop, or undefined when the user asked for none, the rounds are done, or no
shell tool is offered (then the model answers in text).
*/
export function nextToolRound(
	items: readonly Item[],
	userText: string,
	tools: ReadonlySet<string>,
): {name: string; args: string} | undefined {
	const wanted = requestedRounds(userText);
	if (wanted === undefined) {
		return undefined;
	}

	const done = roundsDone(items);
	const shell = SHELL_TOOLS.find((tool) => tools.has(tool.name));
	if (done >= wanted || !shell) {
		return undefined;
	}

	return {name: shell.name, args: JSON.stringify(shell.args(`echo tool-round-${done + 1}-of-${wanted}`))};
}
