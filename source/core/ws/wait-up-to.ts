import type {RelayDeps} from './relay-deps.ts';

/**
`--wait-up-to` on WebSocket, as on HTTP: when no account can serve now but one comes back before `deadline`
(clock ms), waits until the pool changes or it is back, and answers true (choose again); false when the client
must be told now.
*/
export async function waitForAccount(
	deps: RelayDeps,
	deadline: number,
	signal: AbortSignal,
): Promise<boolean> {
	const earliest = deps.pool.earliestUsableAt();
	const now = deps.clock.now();
	if (deps.waitUpToMs === undefined || earliest === undefined || earliest > deadline || earliest <= now) {
		return false;
	}

	await deps.choice.waitForChange((earliest - now) / deps.clock.speed, signal);
	return true;
}
