import assert from 'node:assert/strict';
import {after, before, it} from 'node:test';
import {headerTopSegments} from '../../source/components/header.tsx';
import {createRemoteCore} from '../../source/core/admin/remote-core.ts';
import type {Core} from '../../source/core/contract.ts';
import {eventually} from '../helpers/eventually.ts';
import {makeHome, spawnCli, type TestHome} from './serve-harness.ts';

// The attached control center when its daemon dies (kill -9) or freezes: the header says "daemon unreachable
// since HH:MM:SS" within 3 s instead of "attached" over frozen numbers, and it re-attaches when a daemon answers.
// The waits below are generous (a loaded machine starts a tsx child slowly); the 3 s is checked on the product's
// own timestamp of the moment it noticed, not on how soon this test happened to look.
let home: TestHome;
before(async () => {
	home = await makeHome(['alpha']);
});

after(async () => {
	await home.upstream.close();
});

const headerText = (core: Core) =>
	headerTopSegments(core.getSnapshot())
		.map((segment) => segment.text)
		.join('');

const startDaemon = async (port: number | string) => {
	const daemon = spawnCli(['serve', '--port', String(port), '--no-tls', '--home', home.home], home.env);
	const [, url] = await daemon.waitFor(/at (http:\/\/127\.0\.0\.1:\d+)\n/, 60_000);
	return {daemon, url: url!};
};

const untilUnreachable = async (core: Core) =>
	eventually(
		() => {
			const since = core.getSnapshot().daemonUnreachableSince;
			assert.ok(since !== undefined, `still: ${headerText(core)}`);
			return since;
		},
		20_000,
		50,
	);

const untilAttached = async (core: Core) =>
	eventually(
		() => {
			assert.equal(core.getSnapshot().daemonUnreachableSince, undefined);
			assert.match(headerText(core), /attached to daemon/);
		},
		30_000,
		50,
	);

it('kill -9: says "daemon unreachable since HH:MM:SS" within 3 s, and re-attaches to a daemon started again on the same port', async (t) => {
	const first = await startDaemon(0);
	const core = await createRemoteCore({url: first.url});
	let second: Awaited<ReturnType<typeof startDaemon>> | undefined;
	try {
		assert.match(headerText(core), /attached to daemon/);
		const killed = Date.now();
		first.daemon.child.kill('SIGKILL');
		const since = await untilUnreachable(core);
		t.diagnostic(`unreachable ${since - killed} ms after kill -9`);
		assert.ok(since - killed <= 3000, `noticed ${since - killed} ms after the kill`);
		const clock = new Date(since).toTimeString().slice(0, 8);
		assert.match(headerText(core), new RegExp(`daemon unreachable since ${clock}`));
		assert.doesNotMatch(headerText(core), /attached to daemon/);

		await first.daemon.exit;
		second = await startDaemon(new URL(first.url).port);
		await untilAttached(core);
	} finally {
		await core.stop();
		first.daemon.child.kill('SIGKILL');
		second?.daemon.child.kill('SIGKILL');
	}
});

it('a frozen daemon (SIGSTOP: no reset, no end, just silence) is unreachable after 3 s of silence, attached again after SIGCONT', async (t) => {
	const {daemon, url} = await startDaemon(0);
	const core = await createRemoteCore({url});
	try {
		// Let a keep-alive arrive first, so the silence starts at most a second before the freeze.
		await new Promise((resolve) => setTimeout(resolve, 1200));
		const frozen = Date.now();
		daemon.child.kill('SIGSTOP');
		const since = await untilUnreachable(core);
		t.diagnostic(`unreachable ${since - frozen} ms after SIGSTOP`);
		// At least the silence minus the one keep-alive interval before the freeze; at most 3 s after the freeze,
		// plus a second for timers firing late on a loaded machine.
		assert.ok(since - frozen >= 3000 - 1000 - 100, `gave up ${since - frozen} ms after the freeze`);
		assert.ok(since - frozen <= 3000 + 1000, `gave up ${since - frozen} ms after the freeze`);
		assert.match(headerText(core), /daemon unreachable since \d\d:\d\d:\d\d/);

		daemon.child.kill('SIGCONT');
		await untilAttached(core);
	} finally {
		await core.stop();
		daemon.child.kill('SIGCONT');
		daemon.child.kill('SIGKILL');
	}
});
