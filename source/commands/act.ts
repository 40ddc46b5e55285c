import type {ActionResult, Core} from '../core/contract.ts';
import {openHomeCore} from '../core/control/home-core.ts';
import type {Io} from './types.ts';

/**
A command's action: opens the home's Core (its daemon's when one answers, else the store-backed one), runs
`act` on it, prints the action's message and where it took effect, and closes the core. The exit code is 0,
2 for bad input (an unknown account, strategy or setting, as for any bad input), 1 for any other failure.
*/
export async function actOnHome(
	home: string,
	io: Io,
	act: (core: Core) => Promise<ActionResult>,
): Promise<number> {
	const opened = await openHomeCore(home);
	try {
		const result = await act(opened.core);
		if (!result.ok) {
			io.stderr(`codexpool: ${result.message}\n`);
			return result.badInput ? 2 : 1;
		}

		io.stdout(`${result.message}\n${opened.effect}\n`);
		return 0;
	} finally {
		await opened.close();
	}
}
