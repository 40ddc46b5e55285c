import type {SoakReport} from './soak.ts';

/** One property the soak must show, and whether it did. */
export type SoakCheck = {readonly name: string; readonly ok: boolean; readonly detail: string};

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

/** The properties of issue 8, judged on a soak report. The bench prints them; the test asserts them. */
export function judgeSoak(report: SoakReport): SoakCheck[] {
	const {rss, sockets} = report;
	const rssOk = rss.samples === 0 || rss.secondHalfPeak <= rss.firstHalfPeak * 1.1;
	// The pool keeps idle keep-alive connections; beyond one per concurrent request (+ one per account for the
	// usage poll, + the refreshes') something would have leaked.
	// Right after the load: each client slot may hold the socket of a response still finishing plus the one of
	// its next request, and the background (usage polls, token refreshes) one per account. A leak (a socket
	// never released after a fault) would grow with the hundreds of faults instead.
	const poolBound = 2 * report.concurrency + 2 * report.accounts;
	// Idle keep-alive connections close after 30 s; what remains serves the background, which keeps running
	// (a usage poll and a token refresh per account at 600x).
	const idleBound = 2 * report.accounts + 2;
	return [
		{
			name: 'every request completed or ended with a clear error',
			ok: report.outcomes.broken === 0,
			detail: `${report.outcomes.completed} completed, ${report.outcomes.error} clear errors, ${report.outcomes.broken} broken (${report.outcomes.aborted} abandoned by the client)`,
		},
		{
			name: 'none answered twice',
			ok: report.log.sessionsWithExtraEntries === 0 && (report.labels['answered twice'] ?? 0) === 0,
			detail: `${report.log.sessionsWithExtraEntries} sessions with more log entries than requests; ${report.labels['answered twice'] ?? 0} bodies with two answers`,
		},
		{
			name: 'none replayed upstream after its first byte reached the client',
			ok: report.attempts.replayedAfterFirstByte === 0 && report.attempts.unknownIds === 0,
			detail: `${report.attempts.replayedAfterFirstByte} replayed; attempts per request max ${report.attempts.max}`,
		},
		{
			name: 'no refresh token used twice',
			ok: report.refreshes.reused === 0 && report.refreshes.unknown === 0,
			detail: `${report.refreshes.issued} refresh tokens issued, ${report.refreshes.reused} reused, ${report.refreshes.unknown} unknown`,
		},
		{
			name: 'peak RSS of the second half within 10% of the first',
			ok: rssOk,
			detail:
				rss.samples === 0
					? 'not measured (no /proc)'
					: `${mb(rss.firstHalfPeak)} then ${mb(rss.secondHalfPeak)} (${((rss.secondHalfPeak / rss.firstHalfPeak - 1) * 100).toFixed(1)}%)`,
		},
		{
			name: '/healthz answered throughout',
			ok: report.healthz.failures === 0 && report.healthz.polls > 0,
			detail: `${report.healthz.polls} polls, ${report.healthz.failures} failed${
				Object.keys(report.healthz.reasons).length > 0
					? ` (${Object.entries(report.healthz.reasons)
							.map(([why, n]) => `${n}× ${why}`)
							.join(', ')})`
					: ''
			}, slowest ${Math.round(report.healthz.maxMs)} ms (event loop stalled at worst ${Math.round(report.proxyLoopDelay.maxMs)} ms in the proxy, ${Math.round(report.benchLoopDelayMaxMs)} ms in the bench)`,
		},
		{
			name: 'no upstream sockets beyond the pool at the end',
			ok:
				sockets.inFlight === 0 &&
				(sockets.proxyToUpstream === undefined || sockets.proxyToUpstream <= poolBound) &&
				(sockets.afterIdle === undefined || sockets.afterIdle <= idleBound),
			detail: `${sockets.proxyToUpstream ?? '?'} proxy→upstream connections open once the load ended (bound ${poolBound}; ${sockets.webSockets} of them WebSockets), ${sockets.upstreamFromProxy ?? '?'} seen by the upstream, ${sockets.inFlight} responses in flight${sockets.afterIdle === undefined ? '' : `; ${sockets.afterIdle} after the keep-alive timeout (bound ${idleBound}; ${sockets.webSocketsAfterIdle ?? '?'} WebSockets)`}`,
		},
		{
			name: "no token in the proxy's output, request log, notices or moves",
			ok: report.secrets.seen === 0 && report.secrets.searched > 0,
			detail: `${report.secrets.searched} tokens searched for, ${report.secrets.seen} found`,
		},
		{
			name: 'the proxy process stopped cleanly',
			ok: report.proxyExitCode === 0,
			detail: `exit code ${report.proxyExitCode}`,
		},
	];
}
