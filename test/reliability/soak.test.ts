import assert from 'node:assert/strict';
import {test} from 'node:test';
import {soakFaults} from '../../bench/reliability/chaos.ts';
import {runSoak} from '../../bench/reliability/soak.ts';
import {judgeSoak} from '../../bench/reliability/soak-verdict.ts';

// The CI-sized soak: the same run as `npm run soak`, 600 requests at concurrency 16, with every fault twice as
// likely, and each kind also injected once, so that every kind fires in so short a run. Once with the HTTP
// clients' requests riding per-session upstream WebSockets (the faults strike their frames), once over HTTP.
for (const upstreamWebSocket of [true, false]) {
	const transport = upstreamWebSocket ? 'over upstream WebSockets' : 'over upstream HTTP';
	test(`600 requests under every fault, marks changing and tokens expiring, ${transport}: the soak properties hold`, async () => {
		const report = await runSoak({
			requests: 600,
			concurrency: 16,
			seed: 8,
			faultScale: 2,
			everyKindOnce: true,
			settings: {upstreamWebSocket},
		});
		const checks = judgeSoak(report);
		const summary = [
			`${report.requests} requests in ${(report.durationMs / 1000).toFixed(1)} s`,
			`faults ${JSON.stringify(report.faults)}`,
			`outcomes ${JSON.stringify(report.labels)}`,
			...checks.map((check) => `${check.ok ? 'ok  ' : 'FAIL'} ${check.name}: ${check.detail}`),
			...report.brokenSamples.map((sample) => `broken #${sample.id}: ${sample.label} ${sample.detail ?? ''}`),
			...report.attempts.replaySamples,
		].join('\n');
		console.log(summary);

		for (const check of checks) {
			assert.ok(check.ok, `${check.name}: ${check.detail}\n${summary}`);
		}

		const kinds = new Set(soakFaults().map((fault) => fault.kind));
		for (const kind of kinds) {
			assert.ok((report.faults[kind] ?? 0) > 0, `the fault ${kind} never fired:\n${summary}`);
		}

		assert.ok(
			report.chaos.tokenExpiries > 0 &&
				(report.chaos.actions.evict ?? 0) + (report.chaos.actions.drain ?? 0) > 0,
		);
		assert.equal(report.chaos.actionsRefused, 0);
		assert.equal(report.outcomes.completed + report.outcomes.error + report.outcomes.aborted, 600);
		assert.ok(report.outcomes.aborted > 0, 'some clients went away mid-answer');
		// Most requests are served despite the faults: failover hides what happens before the first byte. A run
		// whose injected usage limits happen to rest every account at once answers the rest with a clear 429
		// (usage_limit_reached with the reset time), which is the right answer then, so those count as served.
		const exhausted = report.labels['429 usage_limit_reached'] ?? 0;
		assert.ok(report.outcomes.completed + exhausted > 500, summary);
		assert.ok(report.attempts.max >= 2, 'some requests failed over');
		assert.ok(report.sockets.proxyToUpstream === undefined || report.sockets.proxyToUpstream > 0);
	});
}
