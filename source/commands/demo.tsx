import {parseCommandLine} from './command-line.ts';
import {startDemoPool} from './demo-pool.ts';
import {showUntilQuit} from './show-until-quit.ts';
import {type Command, UsageError} from './types.ts';

const help = `
  Usage
    $ codexpool demo [--accounts 7] [--speed 120] [--seed 1] [--port 0]

  The control center over a simulated ChatGPT backend and a synthetic workload of Codex-like sessions, on a
  clock running --speed times faster than real time: watch windows fill, sessions stick and move, the
  scheduler stagger the resets, and try the keys (? for help). Nothing leaves this machine and no real
  account is needed; everything is thrown away when you quit.

  Options
    --accounts N   simulated accounts (default 7, 1 to 20)
    --speed X      clock speed-up (default 120: a 5-hour window passes in 2.5 minutes)
    --seed N       the workload's random seed (default 1)
    --port N       where the demo's proxy listens (default 0: any free port)
`;

export const command: Command = {
	name: 'demo',
	summary: 'the control center on a simulated upstream and workload: no account needed',
	async run(argv, io) {
		const cli = parseCommandLine(help, argv, {
			accounts: {type: 'number', default: 7},
			speed: {type: 'number', default: 120},
			seed: {type: 'number', default: 1},
			port: {type: 'number', default: 0},
		});
		if (cli.flags.help) {
			io.stdout(help);
			return 0;
		}

		const {accounts, speed, seed, port} = cli.flags;
		if (!Number.isInteger(accounts) || accounts < 1 || accounts > 20) {
			throw new UsageError(`--accounts takes a whole number from 1 to 20, not ${accounts}.`);
		}

		if (!(speed >= 1 && speed <= 10_000)) {
			throw new UsageError(`--speed takes a number from 1 to 10000, not ${speed}.`);
		}

		const demo = await startDemoPool({accounts, speed, seed, port}).catch((error: unknown) => {
			throw describeListenError(error, port);
		});
		await showUntilQuit(demo.core, {clock: demo.clock}, demo.stop);

		return 0;
	},
};

/** Turns "address in use" into what to do about it. */
function describeListenError(error: unknown, port: number): Error {
	if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
		return new Error(
			`Port ${port} is taken by another program, so the demo cannot serve its pool there. ` +
				'Start it with another port (--port 0 picks a free one), or stop what uses the port.',
		);
	}

	return error instanceof Error ? error : new Error(String(error));
}
