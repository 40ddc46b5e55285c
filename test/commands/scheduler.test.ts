import assert from 'node:assert/strict';
import {after, before, describe, it} from 'node:test';
import {request} from 'undici';
import {command} from '../../source/commands/scheduler.ts';
import {openStore} from '../../source/core/store/store.ts';
import {pollUntil} from '../helpers/eventually.ts';
import {runCommand} from './run.ts';
import {daemonState, type InProcessDaemon, makeHome, serveInProcess, type TestHome} from './serve-harness.ts';

let home: TestHome;

before(async () => {
	home = await makeHome(['alpha', 'beta', 'gamma']);
});

after(async () => {
	await home.upstream.close();
});

const scheduler = async (...args: string[]) => runCommand(command, [...args, '--home', home.home], home.env);
const saved = () => openStore(home.home).getSettings().scheduler;
const idOf = (name: string) =>
	openStore(home.home)
		.listAccounts()
		.find((account) => account.name === name)!.id;
const kicksSent = () =>
	home.upstream.log.filter((entry) => entry.path.startsWith('/backend-api/codex/responses')).length;

describe('scheduler with no daemon', () => {
	it('shows its settings and says the plan needs a running pool', async () => {
		const result = await scheduler();
		assert.equal(result.code, 0, result.stderr);
		assert.equal(
			result.stdout.split('\n')[0],
			'Scheduler off; policy rotate-restart; sends kicks; accounts: all; quiet hours: none.',
		);
		assert.match(
			result.stdout,
			/No daemon serves .*: the plan of next kicks exists only while the pool runs/,
		);
	});

	it('changes only what is given, in the store', async () => {
		const result = await scheduler(
			'on',
			'--dry-run',
			'--policy',
			'stagger',
			'--accounts',
			'alpha,gam',
			'--quiet',
			'22:00-07:00',
		);
		assert.equal(result.code, 0, result.stderr);
		assert.match(
			result.stdout,
			/^Scheduler on; policy stagger; dry run \(plans and logs, sends nothing\); accounts: alpha, gamma; quiet hours: 22:00-07:00\.$/m,
		);
		assert.match(result.stdout, /saved in the store; it applies when the pool starts/);
		assert.deepEqual(saved(), {
			enabled: true,
			dryRun: true,
			policy: 'stagger',
			accounts: [idOf('alpha'), idOf('gamma')],
			quietHours: {start: '22:00', end: '07:00'},
		});
		assert.equal((await scheduler('--no-quiet', '--accounts', 'all')).code, 0);
		assert.deepEqual(saved(), {
			enabled: true,
			dryRun: true,
			policy: 'stagger',
			accounts: [],
			quietHours: undefined,
		});
		assert.equal((await scheduler('off')).code, 0);
		assert.equal(saved().enabled, false);
		assert.equal(saved().dryRun, true, 'an absent --dry-run leaves it as it was');
	});

	it('bad values: exit 2 with what to type, and nothing saved', async () => {
		const before = saved();
		const cases: Array<[string[], RegExp]> = [
			[['--policy', 'fast'], /Unknown kick policy "fast"\. Choose one of: rotate-restart, stagger/],
			[['--quiet', '22:00'], /Quiet hours are a span of local times, START-END \(e\.g\. 22:00-07:00\)/],
			[['--quiet', '25:00-07:00'], /Quiet hours take local times as HH:MM/],
			[['--accounts', 'nobody'], /No account matches "nobody"\. Accounts: alpha, beta, gamma\./],
			[['--accounts', 'alpha,'], /--accounts takes names separated by commas/],
			[['maybe'], /Say on or off \(got "maybe"\)/],
			[['on', 'off'], /Say on or off/],
			[['--dryrun'], /Unknown option --dryrun/],
		];
		for (const [args, message] of cases) {
			const result = await scheduler(...args);
			assert.equal(result.code, 2, args.join(' '));
			assert.match(result.stderr, message);
		}

		assert.deepEqual(saved(), before);
	});
});

describe('scheduler with a daemon', () => {
	let daemon: InProcessDaemon;
	before(async () => {
		daemon = await serveInProcess(home);
	});
	after(async () => {
		await daemon.stop();
	});

	it('turns it on in dry run at once: the plan shows, nothing is sent', async () => {
		const sentBefore = kicksSent();
		const result = await scheduler('on', '--dry-run', '--policy', 'stagger');
		assert.equal(result.code, 0, result.stderr);
		assert.match(result.stdout, /^Scheduler on; policy stagger; dry run/m);
		assert.match(result.stdout, /Applied by the daemon at http:\/\/127\.0\.0\.1:\d+: in effect now/);
		const state = await pollUntil(
			async () => daemonState(daemon.url),
			(snapshot) => snapshot.scheduler.enabled && snapshot.scheduler.nextKicks.length > 0,
		);
		assert.equal(state.scheduler.policy, 'stagger');
		assert.equal(state.scheduler.dryRun, true);
		assert.ok(state.scheduler.nextKicks.length > 0, 'a visible plan');
		const shown = await scheduler();
		assert.equal(shown.code, 0, shown.stderr);
		assert.match(shown.stdout, /^Scheduler on; policy stagger; dry run/m);
		assert.match(shown.stdout, /^Next kicks \(dry run: logged, not sent\):\n {2}(alpha|beta|gamma) in \d+/m);
		assert.equal(kicksSent(), sentBefore, 'a dry run sends nothing');
	});

	it('quiet hours and accounts reach the daemon; off turns it off', async () => {
		const result = await scheduler('--quiet', '23:30-06:00', '--accounts', 'beta');
		assert.equal(result.code, 0, result.stderr);
		const state = await daemonState(daemon.url);
		assert.deepEqual(state.scheduler.quietHours, {start: '23:30', end: '06:00'});
		assert.deepEqual(saved().accounts, [idOf('beta')]);
		assert.equal((await scheduler('off', '--no-quiet')).code, 0);
		const off = await daemonState(daemon.url);
		assert.equal(off.scheduler.enabled, false);
		assert.equal(off.scheduler.quietHours, undefined);
		// Off means no plan shown (it printed "Scheduler off" then "Next kicks: alpha in 0s", forever "in 0s").
		const shown = await scheduler();
		assert.equal(shown.code, 0, shown.stderr);
		assert.match(shown.stdout, /^Scheduler off/);
		assert.doesNotMatch(shown.stdout, /Next kicks|No kick planned| in \d/);
	});

	it('bad input exits 2 through the daemon too; the admin API checks what other clients send', async () => {
		const bad = await scheduler('--policy', 'none');
		assert.equal(bad.code, 2);
		assert.match(bad.stderr, /Unknown kick policy "none"/);
		const post = async (path: string, body: unknown) => {
			const answer = await request(`${daemon.url}${path}`, {
				method: 'POST',
				headers: {'content-type': 'application/json'},
				body: JSON.stringify(body),
			});
			return {status: answer.statusCode, body: (await answer.body.json()) as {ok: boolean; message: string}};
		};

		const quiet = await post('/api/scheduler', {quietHours: {start: '9', end: '10:00'}});
		assert.equal(quiet.status, 400);
		assert.match(quiet.body.message, /Quiet hours take local times as HH:MM/);
		const type = await post('/api/scheduler', {enabled: 'yes'});
		assert.equal(type.status, 400);
		assert.match(type.body.message, /"enabled" must be true or false/);
		const threshold = await post('/api/strategy', {name: 'sequential', options: {threshold: 0}});
		assert.equal(threshold.status, 400);
		assert.match(threshold.body.message, /threshold is a 5-hour used percent from 1 to 100/);
		assert.equal((await daemonState(daemon.url)).scheduler.enabled, false);
	});
});
