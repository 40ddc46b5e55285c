/** Where a command writes; injected so tests can run commands in-process and read what they printed. */
export type Io = {
	readonly stdout: (text: string) => void;
	readonly stderr: (text: string) => void;
	readonly env: NodeJS.ProcessEnv;
};

/**
One subcommand of `codexpool`. `run` gets the arguments after the subcommand's name, parses them itself
(meow with `argv`), and returns the exit code. It throws `UsageError` for bad input (printed without a
stack, exit 2) and any other Error with an actionable message (printed without a stack, exit 1).
*/
export type Command = {
	readonly name: string;
	readonly summary: string;
	readonly run: (argv: readonly string[], io: Io) => Promise<number>;
};

/** Bad input on the command line: the message says what is wrong and what to type instead. */
export class UsageError extends Error {
	override name = 'UsageError';
}
