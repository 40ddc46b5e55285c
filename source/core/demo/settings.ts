import type {SimulatedUpstreamOptions} from '../simulated-backend/index.ts';
import type {Settings} from '../store/types.ts';
import type {WorkloadOptions} from './workload.ts';

const names = ['ada', 'grace', 'edsger', 'barbara', 'donald', 'frances', 'ken', 'radia', 'alan', 'margaret'];

/** Readable names for the demo's accounts: ada, grace, … then ada-2, grace-2, …. */
export function demoAccountNames(count: number): string[] {
	return Array.from({length: count}, (_, i) => {
		const base = names[i % names.length]!;
		return i < names.length ? base : `${base}-${Math.floor(i / names.length) + 1}`;
	});
}

/**
The demo's economics, in requests ("turns" of the model): a five-hour window holds about 40 of them and a week about
eight windows' worth, so that at the demo's pace windows visibly fill, run out, and sessions move.
*/
const fiveHourTurns = 40;

export function demoUpstreamOptions(accounts: readonly string[]): SimulatedUpstreamOptions {
	return {
		accounts: accounts.map((name, i) => ({
			name,
			plan: i % 3 === 2 ? 'pro' : 'plus',
			fiveHourLimit: fiveHourTurns * 1000,
			weeklyLimit: fiveHourTurns * 8 * 1000,
		})),
		// One turn costs about 1000 units whatever the history's length, so the bars move at a readable pace.
		requestCost: (usage) => 800 + Math.min(400, usage.output_tokens),
		chunkIntervalMs: 40,
		streamChunks: 6,
	};
}

/**
About 0.85 of the pool's five-hour capacity on average: enough that windows run out and sessions move,
not so much that every account is exhausted. A turn asks for 0..3 tool rounds (1.5 on average), each one more
request, so a turn is 2.5 requests on average: sessions arrive as often as with one request per turn (the pool
gets busy as soon) and have fewer turns. Sessions speak WebSocket (the workload's default transport).
*/
export function demoWorkload(accounts: number): Omit<WorkloadOptions, 'proxyUrl' | 'clock' | 'random'> {
	const maxToolRounds = 3;
	const requestsPerTurn = 1 + maxToolRounds / 2;
	const requestsPerHour = (accounts * fiveHourTurns * 0.85) / 5;
	const requestsPerSession = 8;
	return {
		sessionsPerHour: requestsPerHour / requestsPerSession,
		meanTurns: requestsPerSession / requestsPerTurn,
		meanThinkMinutes: 3,
		maxSessions: accounts * 3,
		transport: 'websocket',
		maxToolRounds,
	};
}

/** The scheduler on (it is off by default for real accounts, since kicks spend a little quota). */
export function demoSettings(settings: Settings): Partial<Settings> {
	return {scheduler: {...settings.scheduler, enabled: true, dryRun: false}};
}
