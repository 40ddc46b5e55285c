import {request} from 'undici';
import {type DaemonInfo, findDaemon} from '../admin/daemon-file.ts';
import {createRemoteCore} from '../admin/remote-core.ts';
import type {ActionResult, Core, CoreSnapshot} from '../contract.ts';

export {findDaemon};

/**
Runs one action on the daemon through its admin API (the remote core, as the TUI does) and detaches. A daemon
that went away in between gives a failed result saying so, never a stack.
*/
export async function actOnDaemon(
	info: DaemonInfo,
	act: (core: Core) => Promise<ActionResult>,
): Promise<ActionResult> {
	let core: Core;
	try {
		core = await createRemoteCore({url: info.url});
	} catch (error) {
		return {ok: false, message: unreachable(info, error)};
	}

	try {
		return await act(core);
	} finally {
		await core.stop();
	}
}

/** The daemon's snapshot (`GET /api/state`). Throws an Error saying which daemon did not answer. */
export async function fetchDaemonState(info: DaemonInfo): Promise<CoreSnapshot> {
	try {
		const {statusCode, body} = await request(`${info.url}/api/state`, {
			headersTimeout: 5000,
			bodyTimeout: 5000,
		});
		if (statusCode !== 200) {
			throw new Error(`it answered ${statusCode}: ${(await body.text()).slice(0, 200)}`);
		}

		return (await body.json()) as CoreSnapshot;
	} catch (error) {
		throw new Error(unreachable(info, error));
	}
}

function unreachable(info: DaemonInfo, error: unknown): string {
	const reason = error instanceof Error ? error.message : String(error);
	return `Could not reach the codexpool daemon at ${info.url} (pid ${info.pid}): ${reason}. Is it still running? Start it with \`codexpool serve\`.`;
}
