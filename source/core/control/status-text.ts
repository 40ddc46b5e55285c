import type {AccountCaps, AccountState, CoreSnapshot, WindowSnapshot} from '../contract.ts';
import {formatDuration} from '../duration.ts';

/**
The pool in plain text for `codexpool status`: one line per account (name, plan, state, 5-hour and weekly
used percent with their resets), then the strategy, the scheduler's next kicks and the totals.
*/
export function statusText(snapshot: CoreSnapshot): string {
	const {now} = snapshot;
	const lines: string[] = [];
	if (snapshot.accounts.length === 0) {
		lines.push('No accounts yet. Add one with `codexpool login` or `codexpool import ~/.codex`.');
	} else {
		const rows = snapshot.accounts.map((account) => [
			account.name,
			account.plan,
			stateText(account.state, now),
			windowText(account.fiveHour, now, 300),
			windowText(account.weekly, now, 10_080),
			capsColumn(account.caps),
			String(account.runningSessions),
		]);
		lines.push(
			...table([['ACCOUNT', 'PLAN', 'STATE', '5H USED', 'WEEKLY USED', 'CAPS', 'SESSIONS'], ...rows]),
		);
	}

	const description = snapshot.strategies.find(
		(strategy) => strategy.name === snapshot.strategy,
	)?.description;
	lines.push('', `Strategy: ${snapshot.strategy}${description ? ` (${description})` : ''}`);
	lines.push(schedulerText(snapshot));
	const t = snapshot.totals;
	// Totals are counted by a running pool; the store alone has none.
	lines.push(
		snapshot.proxyUrl === undefined
			? 'Totals: none (counted while the pool runs)'
			: `Totals: ${t.requests} requests, ${t.sessions} sessions, ${t.moves} moves, ${t.failovers} failovers, ` +
					`${t.inputTokens} input / ${t.outputTokens} output tokens; ${snapshot.inFlight} in flight`,
	);
	if (snapshot.sessions.length > 0) {
		const overWebSocket = snapshot.sessions.filter((session) => session.transport === 'websocket').length;
		lines.push(
			`Sessions: ${snapshot.sessions.length} known, ${overWebSocket} over WebSocket, ${snapshot.sessions.length - overWebSocket} over HTTP`,
		);
	}
	for (const account of snapshot.accounts) {
		if (account.state.kind === 'needs-login') {
			lines.push(
				`${account.name} needs a new login: ${account.state.message} Run \`codexpool login --name ${account.name}\`.`,
			);
		}
	}

	return `${lines.join('\n')}\n`;
}

function schedulerText(snapshot: CoreSnapshot): string {
	const {scheduler, now} = snapshot;
	if (!scheduler.enabled) {
		return 'Scheduler: off (turn it on with `codexpool scheduler on`)';
	}

	const quiet = scheduler.quietHours
		? `, quiet ${scheduler.quietHours.start}-${scheduler.quietHours.end}`
		: '';
	const head = `Scheduler: on, policy ${scheduler.policy}${scheduler.dryRun ? ', dry run' : ''}${quiet}`;
	const name = (id: string) => snapshot.accounts.find((account) => account.id === id)?.name ?? id;
	const alone = (scheduler.notKicked ?? []).map(
		(entry) => `  not kicked: ${name(entry.accountId)}, ${entry.reason}`,
	);
	if (scheduler.nextKicks.length === 0) {
		const none = `${head}; no kick planned${snapshot.proxyUrl === undefined ? ' (the plan exists only while the pool runs)' : ''}`;
		return [none, ...alone].join('\n');
	}

	const kicks = [...scheduler.nextKicks]
		.sort((a, b) => a.at - b.at)
		.map(
			(kick) =>
				`  next kick ${name(kick.accountId)} in ${formatDuration(kick.at - now)} (${clock(kick.at)}): ${kick.reason}`,
		);
	return [`${head}`, ...kicks, ...alone].join('\n');
}

function stateText(state: AccountState, now: number): string {
	switch (state.kind) {
		case 'cooling': {
			return `cooling ${formatDuration(state.until - now)} (${state.reason})`;
		}

		case 'exhausted': {
			const what =
				state.cap === undefined
					? 'exhausted'
					: `at its ${state.cap.window === 'five-hour' ? '5-hour' : 'weekly'} cap (${state.cap.percent}%)`;
			return state.until === undefined ? what : `${what}, back in ${formatDuration(state.until - now)}`;
		}

		default: {
			return state.kind;
		}
	}
}

/** A window's use and reset; `-` when the account has no such window; its length when it is not the usual. */
function windowText(window: WindowSnapshot | undefined, now: number, usualMinutes: number): string {
	if (window === undefined) {
		return '-';
	}

	const used = `${Math.round(window.usedPercent)}%`;
	const length =
		window.lengthMinutes === usualMinutes ? '' : ` (${formatDuration(window.lengthMinutes * 60_000)} window)`;
	return window.resetAt === undefined
		? `${used} idle${length}`
		: `${used} resets ${formatDuration(window.resetAt - now)}${length}`;
}

function capsColumn(caps: AccountCaps | undefined): string {
	const parts = [
		caps?.fiveHour === undefined ? undefined : `5h ${caps.fiveHour}%`,
		caps?.weekly === undefined ? undefined : `wk ${caps.weekly}%`,
	].filter((part) => part !== undefined);
	return parts.length === 0 ? '-' : parts.join(' ');
}

function clock(ms: number): string {
	return new Date(ms).toTimeString().slice(0, 5);
}

function table(rows: readonly (readonly string[])[]): string[] {
	const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
	return rows.map((row) =>
		row
			.map((cell, column) => cell.padEnd(widths[column]!))
			.join('  ')
			.trimEnd(),
	);
}
