import {mkdtempSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {type Clock, createScaledClock} from '../core/clock.ts';
import {type EmbeddedCore, startEmbeddedCore} from '../core/core.ts';
import {importSimulatedAccounts} from '../core/demo/seed-home.ts';
import {demoAccountNames, demoSettings, demoUpstreamOptions, demoWorkload} from '../core/demo/settings.ts';
import {startWorkload} from '../core/demo/workload.ts';
import {createRandom} from '../core/random.ts';
import {startSimulatedUpstream} from '../core/simulated-backend/index.ts';
import {openStore} from '../core/store/store.ts';

export type DemoPoolOptions = {
	readonly accounts: number;
	readonly speed: number;
	readonly seed: number;
	readonly port: number;
};

/** What `codexpool demo` shows: the pool, on its clock, with everything around it to stop. */
export type DemoPool = {
	readonly core: EmbeddedCore;
	readonly clock: Clock;
	/** Stops the workload, the pool and the upstream, and removes the demo's home. */
	readonly stop: () => Promise<void>;
};

/**
The demo's pool as `codexpool demo` runs it (and its tests watch it): a simulated upstream on a clock `speed`
times faster than real time, a temporary home with its accounts imported, the embedded core with the
scheduler on, and the synthetic workload of Codex-like sessions.
*/
export async function startDemoPool(options: DemoPoolOptions): Promise<DemoPool> {
	const {accounts, speed, seed, port} = options;
	const clock = createScaledClock(speed);
	const upstream = await startSimulatedUpstream({clock, ...demoUpstreamOptions(demoAccountNames(accounts))});
	const home = mkdtempSync(path.join(tmpdir(), 'codexpool-demo-'));
	const removeHome = () => rmSync(home, {recursive: true, force: true});
	let core: EmbeddedCore;
	try {
		const store = openStore(home);
		importSimulatedAccounts(store, upstream, clock.now());
		store.setSettings(demoSettings(store.getSettings()));
		core = await startEmbeddedCore({
			store,
			clock,
			random: createRandom(seed, 1),
			mode: 'demo',
			upstream: upstream.backendUrl,
			issuer: upstream.issuerUrl,
			port,
			watchStore: false,
		});
	} catch (error) {
		await upstream.close();
		removeHome();
		throw error;
	}

	const workload = startWorkload({
		proxyUrl: core.url,
		clock,
		random: createRandom(seed, 2),
		...demoWorkload(accounts),
	});
	return {
		core,
		clock,
		async stop() {
			await workload.stop();
			await core.stop();
			await upstream.close();
			removeHome();
		},
	};
}
