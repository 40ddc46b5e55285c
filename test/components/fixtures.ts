import type {CoreSnapshot} from '../../source/core/contract.ts';
import {HOUR, MINUTE, makeAccount, makeRequest, makeSession, makeWindow, T0} from '../helpers/fake-core.ts';

/** A pool with one account in each interesting state, sessions, requests and notices. */
export function busyPool(): Partial<CoreSnapshot> {
	return {
		mode: 'demo',
		accounts: [
			makeAccount({
				id: 'acc-alice',
				name: 'alice',
				plan: 'pro',
				fiveHour: makeWindow({
					usedPercent: 82,
					resetAt: T0 + HOUR + 12 * MINUTE,
					exhaustsAt: T0 + 48 * MINUTE,
				}),
				weekly: makeWindow({usedPercent: 21, resetAt: T0 + 5 * 24 * HOUR, lengthMinutes: 10_080}),
				runningSessions: 3,
			}),
			makeAccount({
				id: 'acc-bob',
				name: 'bob',
				state: {kind: 'pinned'},
				marks: {pinned: true, drained: false, evicted: false},
				fiveHour: makeWindow({usedPercent: 12, resetAt: T0 + 4 * HOUR}),
			}),
			makeAccount({
				id: 'acc-carol',
				name: 'carol',
				state: {kind: 'cooling', until: T0 + 125_000, reason: '429'},
			}),
			makeAccount({
				id: 'acc-dave',
				name: 'dave',
				state: {kind: 'exhausted', until: T0 + 2 * HOUR},
				fiveHour: makeWindow({usedPercent: 100, resetAt: T0 + 2 * HOUR}),
			}),
			makeAccount({id: 'acc-erin', name: 'erin', state: {kind: 'needs-login', message: 'refresh refused'}}),
			makeAccount({id: 'acc-frank', name: 'frank', state: {kind: 'drained'}}),
			makeAccount({id: 'acc-gina', name: 'gina', state: {kind: 'evicted'}}),
		],
		scheduler: {
			enabled: true,
			dryRun: false,
			policy: 'stagger',
			quietHours: undefined,
			nextKicks: [
				{accountId: 'acc-erin', at: T0 + 2 * HOUR, reason: 'stagger'},
				{accountId: 'acc-bob', at: T0 + 90 * MINUTE, reason: 'stagger'},
			],
		},
		sessions: [
			makeSession({
				id: 'sess-old',
				accountId: 'acc-bob',
				lastActivityAt: T0 - 5 * MINUTE,
				client: 'openai-node',
			}),
			makeSession({
				id: 'sess-live',
				accountId: 'acc-alice',
				active: true,
				transport: 'websocket',
				turns: 4,
				inputTokens: 12_000,
				cachedTokens: 9_000,
				outputTokens: 1_500,
				moves: 2,
				lastActivityAt: T0 - 12_000,
			}),
		],
		requests: [
			makeRequest({
				id: 'r3',
				at: T0 - 1000,
				sessionId: 'sess-live',
				accountId: 'acc-alice',
				model: 'gpt-5-codex',
			}),
			makeRequest({
				id: 'r2',
				at: T0 - 2000,
				sessionId: 'sess-old',
				accountId: 'acc-bob',
				model: 'gpt-5',
				status: 429,
				error: 'usage_limit_reached',
			}),
			makeRequest({
				id: 'r1',
				at: T0 - 3000,
				sessionId: 'sess-live',
				accountId: 'acc-alice',
				failedOver: ['dave'],
				ttfbMs: 1500,
			}),
		],
		notices: [
			{id: 'n2', at: T0 - 1000, level: 'warn', message: 'sess-live moved from dave to alice (exhausted)'},
			{
				id: 'n1',
				at: T0 - 60_000,
				level: 'error',
				message: 'erin needs login: run codexpool login --name erin',
			},
		],
		totals: {
			requests: 1234,
			inputTokens: 1_234_567,
			outputTokens: 34_000,
			sessions: 12,
			moves: 3,
			failovers: 1,
		},
		inFlight: 2,
	};
}
