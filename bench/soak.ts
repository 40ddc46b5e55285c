import {mkdirSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {parseArgs} from 'node:util';
import {runSoak, type SoakReport} from './reliability/soak.ts';
import {judgeSoak, type SoakCheck} from './reliability/soak-verdict.ts';

/**
`npm run soak`: 10,000 requests at concurrency 32 through the pool (in its own process) while the simulated
upstream injects every fault kind and accounts are drained, evicted and restored. Prints the figures and the
verdict, writes bench/results/soak.md (unless --no-write), exits 1 if a property fails.

  npm run soak -- --requests 2000 --concurrency 16 --seed 3
  npm run soak -- --upstream-http     # HTTP clients' requests go upstream over HTTP (setting upstreamWebSocket off)
*/
const {values} = parseArgs({
	options: {
		requests: {type: 'string', default: '10000'},
		concurrency: {type: 'string', default: '32'},
		accounts: {type: 'string', default: '6'},
		seed: {type: 'string', default: '1'},
		'no-write': {type: 'boolean', default: false},
		'upstream-http': {type: 'boolean', default: false},
	},
});

const report = await runSoak({
	requests: Number(values.requests),
	concurrency: Number(values.concurrency),
	accounts: Number(values.accounts),
	seed: Number(values.seed),
	// Past the pool's 30 s keep-alive timeout, only the background's connections may remain.
	idleWaitMs: 32_000,
	...(values['upstream-http'] ? {settings: {upstreamWebSocket: false}} : {}),
	log: (line) => process.stderr.write(`soak: ${line}\n`),
});
const checks = judgeSoak(report);
const text = render(report, checks, Number(values.seed));
process.stdout.write(text);
if (!values['no-write']) {
	const file = path.join(import.meta.dirname, 'results', 'soak.md');
	mkdirSync(path.dirname(file), {recursive: true});
	writeFileSync(file, text);
	process.stderr.write(`soak: wrote ${path.relative(process.cwd(), file)}\n`);
}

process.exitCode = checks.every((check) => check.ok) ? 0 : 1;

function table(rows: [string, string | number][]): string {
	return rows.map(([name, value]) => `| ${name} | ${value} |`).join('\n');
}

function render(report: SoakReport, checks: readonly SoakCheck[], seed: number): string {
	const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
	const sorted = (record: Record<string, number>) =>
		Object.entries(record).sort(([, a], [, b]) => b - a) as [string, number][];
	const lines = [
		'# Soak: the proxy under faults and load',
		'',
		`\`npm run soak\` (seed ${seed}, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}). The pool runs in its own`,
		'process (its RSS and sockets are measured alone, from /proc); the simulated upstream, the load and the chaos',
		'run in the bench process. Upstream and proxy share a clock running 600× real time, so a 429',
		'`usage_limit_reached` rests an account for seconds, not hours. Every other fault kind strikes by chance on',
		'each upstream request (`bench/reliability/chaos.ts`); a usage limit, which rests its account until',
		'its window resets, is injected four times per run. 1% of clients hang up after the first chunk.',
		'',
		'## Figures',
		'',
		'| figure | value |',
		'|---|---|',
		table([
			['requests', report.requests],
			['concurrency', report.concurrency],
			['accounts', report.accounts],
			['duration', `${(report.durationMs / 1000).toFixed(1)} s`],
			['requests per second', Math.round(report.requests / (report.durationMs / 1000))],
			['faults injected (total)', Object.values(report.faults).reduce((a, b) => a + b, 0)],
			['of which on /oauth/token', report.tokenFaults],
			['access tokens expired upstream', report.chaos.tokenExpiries],
			[
				'admin actions (drain/evict/restore)',
				`${sorted(report.chaos.actions)
					.map(([name, count]) => `${name} ${count}`)
					.join(', ')}; refused ${report.chaos.actionsRefused}`,
			],
			['upstream attempts for client requests', report.attempts.upstreamAttempts],
			[
				'attempts per request',
				Object.entries(report.attempts.histogram)
					.map(([attempts, count]) => `${attempts}: ${count}`)
					.join(', '),
			],
			[
				'proxy request-log entries / requests without one',
				`${report.log.entries} / ${report.log.requestsWithoutEntry}`,
			],
			['refresh tokens issued / reused', `${report.refreshes.issued} / ${report.refreshes.reused}`],
			['peak RSS, first half', mb(report.rss.firstHalfPeak)],
			['peak RSS, second half', mb(report.rss.secondHalfPeak)],
			[
				'/healthz polls / failures / slowest',
				`${report.healthz.polls} / ${report.healthz.failures} / ${Math.round(report.healthz.maxMs)} ms`,
			],
			[
				'proxy event loop delay (p99 / max)',
				`${report.proxyLoopDelay.p99Ms.toFixed(1)} ms / ${Math.round(report.proxyLoopDelay.maxMs)} ms`,
			],
			[
				'model requests upstream: WebSocket frames / POSTs (WebSocket handshakes)',
				`${report.upstreamTransport.frames} / ${report.upstreamTransport.posts} (${report.upstreamTransport.handshakes})`,
			],
			['proxy→upstream sockets open when the load ended', report.sockets.proxyToUpstream ?? 'n/a'],
			['… and 32 s later (keep-alive timeout passed)', report.sockets.afterIdle ?? 'n/a'],
		]),
		'',
		'## Faults injected, by kind',
		'',
		'| kind | fired |',
		'|---|---|',
		table(sorted(report.faults)),
		'',
		'## Outcomes',
		'',
		`${report.outcomes.completed} completed, ${report.outcomes.error} ended with a clear error, ${report.outcomes.broken} broken; ${report.outcomes.aborted} abandoned by the client mid-answer on purpose (1%).`,
		'',
		'| outcome | requests |',
		'|---|---|',
		table(sorted(report.labels)),
		'',
		'## Verdict',
		'',
		'| property | holds | measured |',
		'|---|---|---|',
		...checks.map((check) => `| ${check.name} | ${check.ok ? 'yes' : '**NO**'} | ${check.detail} |`),
		'',
	];
	if (report.brokenSamples.length > 0) {
		lines.push('## Broken answers (first 10)', '');
		for (const sample of report.brokenSamples) {
			lines.push(
				`- #${sample.id} ${sample.shape} ${sample.status}: ${sample.label} — ${sample.detail ?? ''}`,
			);
		}

		lines.push('');
	}

	if (report.attempts.replaySamples.length > 0) {
		lines.push(
			'## Replays after the first byte',
			'',
			...report.attempts.replaySamples.map((s) => `- ${s}`),
			'',
		);
	}

	return `${lines.join('\n')}\n`;
}
