import process from 'node:process';
import {commands} from './commands/index.ts';
import {UsageError} from './commands/types.ts';
import {version} from './version.ts';

const help = `
  codexpool: one local endpoint over several ChatGPT/Codex accounts

  Usage
    $ codexpool [command] [options]      (no command: the control center)

  Commands
${Object.entries(commands)
	.map(([name, {summary}]) => `    ${name.padEnd(14)} ${summary}`)
	.join('\n')}

  Every command takes --home DIR (default $CODEXPOOL_HOME, else ~/.codexpool) and --help.
`;

const [name = 'ui', ...rest] = process.argv.slice(2);
// A reader that stops early (`codexpool import x | head -1`) closes the pipe: the rest of the output has
// nowhere to go, which is not the command's failure. It finishes its work quietly and exits as it would have.
let stdoutOpen = true;
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
	if (error.code !== 'EPIPE' && error.code !== 'ERR_STREAM_DESTROYED') {
		throw error;
	}

	stdoutOpen = false;
});
const io = {
	stdout: (text: string) => stdoutOpen && process.stdout.write(text),
	stderr: (text: string) => process.stderr.write(text),
	env: process.env,
};

if (name === '--help' || name === '-h' || name === 'help') {
	io.stdout(`${help}\n`);
} else if (name === '--version' || name === '-v') {
	io.stdout(`${version}\n`);
} else {
	const entry = commands[name] ?? (name.startsWith('-') ? commands.ui : undefined);
	if (entry === undefined) {
		io.stderr(`codexpool: unknown command "${name}". Run \`codexpool --help\` for the list.\n`);
		process.exitCode = 2;
	} else {
		const argv = entry === commands[name] ? rest : [name, ...rest];
		// A damaged store is said around every command that uses the home (before one that runs until stopped),
		// naming the copy set aside, so it is not taken for an empty one.
		const usesStore = entry !== commands.demo && entry !== commands.simulate && !argv.includes('--help');
		const longRunning = entry === commands.serve || entry === commands.ui;
		const sayDamage = async () => {
			if (usesStore) {
				const {storeDamageLines} = await import('./commands/store-notice.ts');
				for (const line of storeDamageLines(argv, io.env)) {
					io.stderr(line);
				}
			}
		};

		if (longRunning) {
			await sayDamage();
		}

		try {
			const command = await entry.load();
			process.exitCode = await command.run(argv, io);
			if (!longRunning) {
				await sayDamage();
			}
		} catch (error) {
			const message = error instanceof Error ? error.message : String(error);
			io.stderr(`codexpool: ${message}\n`);
			process.exitCode = error instanceof UsageError ? 2 : 1;
			if (!longRunning && !(error instanceof Error && error.name === 'StoreCorruptError')) {
				await sayDamage();
			}
		}
	}
}
