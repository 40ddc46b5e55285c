import assert from 'node:assert/strict';
import {after, before, describe, it} from 'node:test';
import {stripVTControlCharacters} from 'node:util';
import {cleanup, render} from 'ink-testing-library';
import {App} from '../../source/app.tsx';
import {command as schedulerCommand} from '../../source/commands/scheduler.ts';
import {systemClock} from '../../source/core/clock.ts';
import type {AccountSnapshot, CoreSnapshot} from '../../source/core/contract.ts';
import {openHomeCore} from '../../source/core/control/home-core.ts';
import {
	type SimulatedAccountInput,
	type SimulatedUpstream,
	startSimulatedUpstream,
} from '../../source/core/simulated-backend/index.ts';
import type {Settings} from '../../source/core/store/types.ts';
import {runCommand} from '../commands/run.ts';
import {daemonState, type InProcessDaemon, serveInProcess, turn} from '../commands/serve-harness.ts';
import {eventually, pollUntil} from '../helpers/eventually.ts';
import {seededHome} from '../helpers/home.ts';

/*
Accounts whose windows are not the usual two, end to end: `codexpool serve` in this process over the simulated
upstream, the scheduler on and sending kicks, `codexpool scheduler` and the control center attached to that
daemon. A weekly-only account (one weekly window, in the primary slot) and an account whose 5-hour window
vanishes (headers and /wham/usage stop reporting it) and comes back.

Account names are chosen for their ids (the simulated upstream derives them from the names): `w` and `v`
sort before `s`, so the kick rotation's first tick targets them.
*/

const NO_FIVE_HOUR = 'no 5-hour window: a kick cannot stagger what does not exist';
const schedulerOn: Partial<Settings> = {
	strategy: 'round-robin',
	scheduler: {enabled: true, dryRun: false, policy: 'rotate-restart', accounts: [], quietHours: undefined},
};

type Pool = {
	readonly upstream: SimulatedUpstream;
	readonly home: string;
	readonly env: NodeJS.ProcessEnv;
	readonly daemon: InProcessDaemon;
	readonly close: () => Promise<void>;
};

async function startPool(accounts: readonly SimulatedAccountInput[]): Promise<Pool> {
	const upstream = await startSimulatedUpstream({accounts: [...accounts]});
	const {home, remove} = seededHome(upstream, schedulerOn, 'codexpool-windows-');
	const env = {CODEXPOOL_UPSTREAM: upstream.backendUrl, CODEXPOOL_AUTH_ISSUER: upstream.issuerUrl};
	const daemon = await serveInProcess({home, upstream, env});
	return {
		upstream,
		home,
		env,
		daemon,
		async close() {
			await daemon.stop();
			await upstream.close();
			remove();
		},
	};
}

const account = (snapshot: CoreSnapshot, name: string): AccountSnapshot =>
	snapshot.accounts.find((candidate) => candidate.name === name)!;

/** Model requests the upstream got from an account: the pool's and the scheduler's kicks (never usage polls). */
const modelRequests = (upstream: SimulatedUpstream, name: string) =>
	upstream.log.filter(
		(entry) => entry.path.startsWith('/backend-api/codex/responses') && entry.account === name,
	);

/** Turns with new sessions until `name` has served one (round-robin alternates). */
async function turnOn(pool: Pool, name: string): Promise<void> {
	const before = modelRequests(pool.upstream, name).length;
	for (let index = 0; index < 4 && modelRequests(pool.upstream, name).length === before; index++) {
		const answer = await turn(pool.daemon.url, `session-${name}-${Date.now()}-${index}`);
		assert.equal(answer.statusCode, 200, answer.text);
	}

	assert.ok(modelRequests(pool.upstream, name).length > before, `${name} served a request`);
}

/** The control center attached to the daemon, as `codexpool` opens it; returns its rows once drawn. */
async function controlCenter(home: string, check: (text: string) => void): Promise<string> {
	const opened = await openHomeCore(home);
	try {
		assert.equal(opened.kind, 'attached');
		const instance = render(<App core={opened.core} clock={systemClock} />);
		try {
			return await eventually(() => {
				const text = stripVTControlCharacters(instance.lastFrame() ?? '');
				check(text);
				return text;
			}, 3000);
		} finally {
			instance.unmount();
			cleanup();
		}
	} finally {
		await opened.close();
	}
}

const rowOf = (text: string, name: string) =>
	text.split('\n').find((line) => new RegExp(`^\\W*${name}\\s+(free|plus)\\s`).test(line)) ?? '';
const BAR = '[█░▏▎▍▌▋▊▉]+';

async function schedulerText(pool: Pool): Promise<string> {
	const result = await runCommand(schedulerCommand, ['--home', pool.home], pool.env);
	assert.equal(result.code, 0, result.stderr);
	return result.stdout;
}

describe('a weekly-only account (its weekly window in the primary slot, no secondary)', () => {
	let pool: Pool;
	before(async () => {
		pool = await startPool([
			{name: 'w', plan: 'free', weeklyOnly: true, fiveHourLimit: 5000},
			{name: 's', fiveHourLimit: 5000},
		]);
	});
	after(async () => pool.close());

	it('the scheduler never kicks it, even at its first tick, and says so in its plan and in `codexpool scheduler`', async () => {
		const state = await pollUntil(
			async () => daemonState(pool.daemon.url),
			(snapshot) => (snapshot.scheduler.notKicked ?? []).length > 0,
		);
		const w = account(state, 'w');
		const s = account(state, 's');
		assert.deepEqual(state.scheduler.notKicked, [{accountId: w.id, reason: NO_FIVE_HOUR}]);
		assert.ok(state.scheduler.nextKicks.every((kick) => kick.accountId === s.id));
		// The rotation's tick 0 (at the start) targets w, the first by id: it must pass it by.
		assert.deepEqual(modelRequests(pool.upstream, 'w'), [], 'no kick reached w');
		const text = await schedulerText(pool);
		assert.match(text, /^Scheduler on; policy rotate-restart; sends kicks/m);
		assert.match(text, new RegExp(`^ {2}not kicked: w, ${NO_FIVE_HOUR}$`, 'm'));
		assert.doesNotMatch(text, /^ {2}w in /m);
	});

	it('the proxy serves it and tracks its quota on the weekly window, by length', async () => {
		// 30 % of the week used before; the usage headers report it with this request's charge.
		pool.upstream.accounts.setUsedPercent('w', {weekly: 30});
		await turnOn(pool, 'w');
		const state = await pollUntil(
			async () => daemonState(pool.daemon.url),
			(snapshot) => Math.floor(account(snapshot, 'w').weekly?.usedPercent ?? 0) === 30,
		);
		const w = account(state, 'w');
		assert.equal(w.fiveHour, undefined, 'no 5-hour window');
		assert.equal(w.weekly?.lengthMinutes, 10_080);
		assert.equal(w.weekly?.usedPercent, pool.upstream.accounts.quota('w').weekly.usedPercent);
		assert.equal(Math.floor(w.weekly?.usedPercent ?? 0), 30);
		assert.equal(w.weekly?.resetAt, pool.upstream.accounts.quota('w').weekly.resetAt * 1000);
		const s = account(state, 's');
		assert.equal(s.fiveHour?.lengthMinutes, 300);
		assert.equal(s.weekly?.lengthMinutes, 10_080);
	});

	it('the control center draws a weekly bar and no 5-hour bar for it, both bars for the other', async () => {
		await controlCenter(pool.home, (text) => {
			assert.match(text, /5 hours\s+weekly/);
			assert.match(rowOf(text, 'w'), new RegExp(`active\\s+—\\s+${BAR}\\s+\\d+%`));
			assert.match(rowOf(text, 's'), new RegExp(`active\\s+${BAR}\\s+\\d+%.*${BAR}\\s+\\d+%`));
		});
	});

	it('its weekly window exhausted: the request fails over, and it rests until the weekly reset', async () => {
		pool.upstream.accounts.exhaust('w');
		const weeklyReset = pool.upstream.accounts.quota('w').weekly.resetAt * 1000;
		for (let index = 0; index < 2; index++) {
			const answer = await turn(pool.daemon.url, `after-${index}`);
			assert.equal(answer.statusCode, 200, 'the client sees no error');
		}

		const refused = modelRequests(pool.upstream, 'w').filter((entry) => entry.status === 429);
		assert.ok(refused.length <= 1, 'w is tried at most once');
		const state = await pollUntil(
			async () => daemonState(pool.daemon.url),
			(snapshot) => account(snapshot, 'w').state.kind === 'exhausted',
		);
		const w = account(state, 'w');
		assert.equal(w.state.kind, 'exhausted');
		assert.equal(w.state.kind === 'exhausted' && w.state.until, weeklyReset, 'until the weekly reset');
		assert.equal(w.weekly?.usedPercent, 100);
		const answer = await turn(pool.daemon.url, 'after-more');
		assert.equal(answer.statusCode, 200);
		assert.equal(
			modelRequests(pool.upstream, 'w').filter((entry) => entry.status === 429).length,
			refused.length,
			'the next requests go to s',
		);
	});
});

describe('a pool of weekly-only accounts', () => {
	let pool: Pool;
	before(async () => {
		pool = await startPool([
			{name: 'w', plan: 'free', weeklyOnly: true, fiveHourLimit: 5000},
			{name: 'wk', plan: 'free', weeklyOnly: true, fiveHourLimit: 5000},
		]);
	});
	after(async () => pool.close());

	it('the pooled /wham/usage has the weekly window in the primary slot and no secondary, as the upstream reports it', async () => {
		await turnOn(pool, 'w');
		pool.upstream.accounts.setUsedPercent('wk', {weekly: 60});
		await pollUntil(
			async () => daemonState(pool.daemon.url),
			(snapshot) => snapshot.accounts.every((entry) => entry.weekly !== undefined),
		);
		// A poll of wk's usage (the pool polls every minute; ask the daemon's own poll through a turn on wk).
		await turnOn(pool, 'wk');
		const answer = await fetch(`${pool.daemon.url}/backend-api/wham/usage`);
		assert.equal(answer.status, 200);
		const usage = (await answer.json()) as {
			plan_type: string;
			rate_limit: {
				allowed: boolean;
				limit_reached: boolean;
				primary_window: {used_percent: number; limit_window_seconds: number; reset_at: number};
				secondary_window: unknown;
			};
		};
		const upstream = ['w', 'wk'].map((name) => pool.upstream.accounts.quota(name).weekly);
		assert.equal(usage.plan_type, 'free');
		assert.equal(usage.rate_limit.allowed, true);
		assert.equal(usage.rate_limit.limit_reached, false);
		assert.equal(usage.rate_limit.primary_window.limit_window_seconds, 604_800);
		assert.equal(usage.rate_limit.secondary_window, null);
		assert.equal(
			usage.rate_limit.primary_window.used_percent,
			Math.round((upstream[0]!.usedPercent + upstream[1]!.usedPercent) / 2),
			'the mean of the accounts',
		);
		// The earliest reset (to the second: a reading may come as seconds after the observation).
		const earliest = Math.min(upstream[0]!.resetAt, upstream[1]!.resetAt);
		assert.ok(Math.abs(usage.rate_limit.primary_window.reset_at - earliest) <= 1, 'the earliest reset');
		// Both exhausted: limit reached.
		pool.upstream.accounts.exhaust('w');
		pool.upstream.accounts.exhaust('wk');
		const refused = await turn(pool.daemon.url, 'all-out');
		assert.equal(refused.statusCode, 429);
		const out = await pollUntil(
			async () => (await (await fetch(`${pool.daemon.url}/backend-api/wham/usage`)).json()) as typeof usage,
			(body) => body.rate_limit.limit_reached,
		);
		assert.equal(out.rate_limit.limit_reached, true);
		assert.equal(out.rate_limit.allowed, false);
		assert.equal(out.rate_limit.secondary_window, null);
	});
});

describe('an account whose 5-hour window vanishes and comes back', () => {
	let pool: Pool;
	before(async () => {
		pool = await startPool([{name: 'v'}, {name: 's'}]);
	});
	after(async () => pool.close());

	it('while it has one: both windows, by length; the scheduler may kick it', async () => {
		await turnOn(pool, 'v');
		const state = await pollUntil(
			async () => daemonState(pool.daemon.url),
			(snapshot) => account(snapshot, 'v').fiveHour !== undefined,
		);
		assert.equal(account(state, 'v').fiveHour?.lengthMinutes, 300);
		assert.equal(account(state, 'v').weekly?.lengthMinutes, 10_080);
		assert.deepEqual(state.scheduler.notKicked, []);
	});

	it('gone: the pool drops it with the first report without it; the weekly quota is tracked on the weekly window', async () => {
		pool.upstream.accounts.setFiveHourWindow('v', false);
		// Its only window now comes in the primary slot: 40 % of the week.
		pool.upstream.accounts.setUsedPercent('v', {weekly: 40});
		await turnOn(pool, 'v');
		const state = await pollUntil(
			async () => daemonState(pool.daemon.url),
			(snapshot) =>
				account(snapshot, 'v').fiveHour === undefined && (snapshot.scheduler.notKicked ?? []).length > 0,
		);
		const v = account(state, 'v');
		assert.equal(v.fiveHour, undefined);
		assert.equal(v.weekly?.lengthMinutes, 10_080);
		assert.equal(
			Math.floor(v.weekly?.usedPercent ?? 0),
			40,
			'on the weekly window, though it came in the primary slot',
		);
		assert.deepEqual(state.scheduler.notKicked, [{accountId: v.id, reason: NO_FIVE_HOUR}]);
		assert.ok(state.scheduler.nextKicks.every((kick) => kick.accountId !== v.id));
		assert.match(await schedulerText(pool), new RegExp(`^ {2}not kicked: v, ${NO_FIVE_HOUR}$`, 'm'));
		await controlCenter(pool.home, (text) => {
			assert.match(rowOf(text, 'v'), new RegExp(`active\\s+—\\s+${BAR}\\s+\\d+%`));
			assert.match(rowOf(text, 's'), new RegExp(`${BAR}\\s+\\d+%.*${BAR}\\s+\\d+%`));
		});
	});

	it('back: the first report with it brings it back; the scheduler plans for it again', async () => {
		pool.upstream.accounts.setFiveHourWindow('v', true);
		pool.upstream.accounts.setUsedPercent('v', {fiveHour: 20});
		await turnOn(pool, 'v');
		const state = await pollUntil(
			async () => daemonState(pool.daemon.url),
			(snapshot) =>
				account(snapshot, 'v').fiveHour !== undefined && (snapshot.scheduler.notKicked ?? []).length === 0,
		);
		const v = account(state, 'v');
		assert.equal(v.fiveHour?.lengthMinutes, 300);
		assert.equal(Math.floor(v.fiveHour?.usedPercent ?? 0), 20);
		assert.equal(Math.floor(v.weekly?.usedPercent ?? 0), 40, 'the weekly window back in the secondary slot');
		assert.deepEqual(state.scheduler.notKicked, []);
		assert.doesNotMatch(await schedulerText(pool), /not kicked: v/);
		await controlCenter(pool.home, (text) => {
			assert.match(rowOf(text, 'v'), new RegExp(`active\\s+${BAR}\\s+\\d+%.*${BAR}\\s+\\d+%`));
		});
	});
});

describe('an account whose short window has another length (1 hour)', () => {
	let pool: Pool;
	before(async () => {
		pool = await startPool([{name: 'h', shortWindowMinutes: 60}, {name: 's'}]);
	});
	after(async () => pool.close());

	it('the pool keeps the window with its length; the control center says the length before its bar', async () => {
		pool.upstream.accounts.setUsedPercent('h', {fiveHour: 50});
		await turnOn(pool, 'h');
		const state = await pollUntil(
			async () => daemonState(pool.daemon.url),
			(snapshot) => Math.floor(account(snapshot, 'h').fiveHour?.usedPercent ?? 0) === 50,
		);
		const h = account(state, 'h');
		assert.equal(h.fiveHour?.lengthMinutes, 60);
		assert.equal(Math.floor(h.fiveHour?.usedPercent ?? 0), 50);
		assert.equal(h.fiveHour?.resetAt, (pool.upstream.accounts.quota('h').fiveHour?.resetAt ?? 0) * 1000);
		assert.equal(h.weekly?.lengthMinutes, 10_080);
		await controlCenter(pool.home, (text) => {
			assert.match(rowOf(text, 'h'), new RegExp(`active\\s+1h\\s+${BAR}\\s+50%.*${BAR}\\s+\\d+%`));
			assert.doesNotMatch(rowOf(text, 's'), /\s1h\s/);
		});
	});
});
