import {EventEmitter} from 'node:events';
import type {TokenEvent} from './auth/token-manager.ts';
import type {Clock} from './clock.ts';
import type {Core, CoreEvents, Notice, NoticeLevel, RequestLogEntry, Totals} from './contract.ts';
import {BurnForecast} from './forecast.ts';
import type {PoolProxy} from './proxy/index.ts';
import {Ring} from './ring.ts';
import type {SchedulerEvent} from './scheduler/index.ts';

/**
What the pool has been doing, as the snapshot shows it: the request log, the notices, the running totals and
the burn forecast, plus the event bus the TUI and `GET /api/events` listen to. It learns from the proxy's
events and the pool's quota readings (`watch`), and tells `onChange` whenever something shown changed.
*/
export type Activity = {
	readonly requests: Ring<RequestLogEntry>;
	readonly notices: Ring<Notice>;
	readonly forecast: BurnForecast;
	readonly totals: () => Totals;
	readonly notify: (level: NoticeLevel, message: string) => void;
	readonly on: Core['on'];
	readonly emit: <E extends keyof CoreEvents>(event: E, ...args: CoreEvents[E]) => void;
	/** Follows the proxy's events and quota readings; returns the stop function. */
	readonly watch: (proxy: PoolProxy, nameOf: (accountId: string) => string) => () => void;
};

export function createActivity(options: {readonly clock: Clock; readonly onChange: () => void}): Activity {
	const {clock, onChange} = options;
	const emitter = new EventEmitter<CoreEvents>();
	const requests = new Ring<RequestLogEntry>(200);
	const notices = new Ring<Notice>(50);
	const forecast = new BurnForecast();
	const totals: {-readonly [K in keyof Totals]: Totals[K]} = {
		requests: 0,
		inputTokens: 0,
		outputTokens: 0,
		sessions: 0,
		moves: 0,
		failovers: 0,
	};
	let noticeCount = 0;
	const notify = (level: NoticeLevel, message: string) => {
		const notice: Notice = {id: `n${++noticeCount}`, at: clock.now(), level, message};
		notices.push(notice);
		emitter.emit('notice', notice);
		onChange();
	};

	const watch = (proxy: PoolProxy, nameOf: (accountId: string) => string) => {
		const seenSessions = new Set<string>();
		proxy.events.on('request', (entry) => {
			requests.push(entry);
			totals.requests++;
			totals.inputTokens += entry.inputTokens;
			totals.outputTokens += entry.outputTokens;
			if (entry.sessionId !== undefined && !seenSessions.has(entry.sessionId)) {
				// Bounded: after a long run a session seen long ago may count twice, which a total can afford.
				if (seenSessions.size > 50_000) {
					seenSessions.clear();
				}

				seenSessions.add(entry.sessionId);
				totals.sessions++;
			}

			emitter.emit('request', entry);
			onChange();
		});
		proxy.events.on('move', (move) => {
			totals.moves++;
			emitter.emit('move', move);
			notify(
				'info',
				`Session ${move.sessionId.slice(0, 8)} moved from ${nameOf(move.from)} to ${nameOf(move.to)}: ${move.reason}.`,
			);
		});
		proxy.events.on('failover', (failover) => {
			totals.failovers++;
			notify('warn', `Failed over from ${nameOf(failover.from)}: ${failover.reason}.`);
		});
		proxy.events.on('notice', (notice) => notify(notice.level, notice.message));

		// The pool changes several times per request (picked, running, quota); the forecast needs only new readings.
		const forecastSeen = new Map<string, unknown>();
		return proxy.pool.onChange(() => {
			for (const account of proxy.pool.list()) {
				const quota = account.quota;
				if (quota !== undefined && forecastSeen.get(account.record.id) !== quota) {
					forecastSeen.set(account.record.id, quota);
					forecast.observe(account.record.id, quota.observedAt, quota.fiveHour, quota.weekly);
				}
			}

			onChange();
		});
	};

	return {
		requests,
		notices,
		forecast,
		totals: () => ({...totals}),
		notify,
		on(event, listener) {
			emitter.on(event, listener as never);
			return () => emitter.off(event, listener as never);
		},
		emit: (event, ...args) => emitter.emit(event, ...(args as never)),
		watch,
	};
}

/** A token manager's event as a notice naming the account. */
export function tokenNotice(
	event: TokenEvent,
	nameOf: (accountId: string) => string,
	notify: Activity['notify'],
): void {
	const name = nameOf(event.accountId);
	if (event.type === 'needs-login') {
		notify('error', `${name} needs a new login: ${event.message}`);
	} else if (event.type === 'refresh-failed') {
		notify('warn', `Could not refresh the token of ${name}: ${event.message}`);
	}
}

/** A scheduler's event as a kick event and notice, or just a change to show. */
export function schedulerNotice(event: SchedulerEvent, activity: Activity, onChange: () => void): void {
	if (event.type === 'kick') {
		activity.emit('kick', event.kick);
		activity.notify(
			event.kick.ok ? 'info' : 'warn',
			`${event.kick.dryRun ? 'Dry-run kick' : 'Kick'}: ${event.kick.detail}`,
		);
	} else if (event.type === 'error') {
		activity.notify('warn', `Scheduler ${event.job} failed: ${event.message}`);
	} else {
		onChange();
	}
}
