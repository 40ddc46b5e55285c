import type {Command, Io} from '../../source/commands/types.ts';
import {UsageError} from '../../source/commands/types.ts';

/** What a command printed and its exit code, as the CLI would give them. */
export type CommandResult = {readonly code: number; readonly stdout: string; readonly stderr: string};

/** Runs a command in-process the way source/cli.tsx does (errors become a message and exit 1 or 2). */
export async function runCommand(
	command: Command,
	argv: readonly string[],
	env: NodeJS.ProcessEnv = {},
): Promise<CommandResult> {
	let stdout = '';
	let stderr = '';
	const io: Io = {
		stdout: (text) => {
			stdout += text;
		},
		stderr: (text) => {
			stderr += text;
		},
		env,
	};
	try {
		const code = await command.run(argv, io);
		return {code, stdout, stderr};
	} catch (error) {
		const message = error instanceof Error ? error.message : String(error);
		return {code: error instanceof UsageError ? 2 : 1, stdout, stderr: `${stderr}codexpool: ${message}\n`};
	}
}
