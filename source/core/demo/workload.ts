import {randomUUID} from 'node:crypto';
import {Agent, request} from 'undici';
import type {Clock} from '../clock.ts';
import type {Random} from '../random.ts';
import {createSseParser} from '../sse/parse.ts';

/**
The demo's synthetic users: Codex-like sessions that arrive at random, each sending a few turns through
the proxy with the full history (encrypted reasoning included, as Codex does), so that a newcomer watches
windows fill, sessions stick to their account and move when it runs out.
*/
export type WorkloadOptions = {
	/** The proxy's base URL, e.g. `http://127.0.0.1:4455`. */
	readonly proxyUrl: string;
	readonly clock: Clock;
	readonly random: Random;
	/** New sessions per clock hour. */
	readonly sessionsPerHour: number;
	/** Mean turns per session (geometric). */
	readonly meanTurns: number;
	/** Mean clock minutes between two turns of a session (the user reading and typing). */
	readonly meanThinkMinutes: number;
	/** Sessions running at most at once, so a slow upstream cannot pile up requests. */
	readonly maxSessions: number;
};

export type Workload = {readonly stop: () => Promise<void>; readonly running: () => number};

type Item = Record<string, unknown>;

const prompts = [
	'refactor the parser',
	'write tests for the cache',
	'why does the build fail',
	'add a retry to the client',
	'explain this stack trace',
	'rename the config loader',
];

export function startWorkload(options: WorkloadOptions): Workload {
	const dispatcher = new Agent({keepAliveTimeout: 10_000, connections: 16});
	const sessions = new Set<Promise<void>>();
	let stopped = false;
	let timer: NodeJS.Timeout | undefined;

	const realMs = (clockMinutes: number) => (clockMinutes * 60_000) / options.clock.speed;
	const exponential = (mean: number) => -Math.log(1 - options.random()) * mean;

	const sleep = async (clockMinutes: number) =>
		new Promise<void>((resolve) => {
			const wait = setTimeout(resolve, realMs(clockMinutes));
			wait.unref();
		});

	const turn = async (sessionId: string, history: Item[], text: string): Promise<Item[]> => {
		const input = [...history, {type: 'message', role: 'user', content: [{type: 'input_text', text}]}];
		const {statusCode, body} = await request(`${options.proxyUrl}/backend-api/codex/responses`, {
			method: 'POST',
			dispatcher,
			headers: {
				'content-type': 'application/json',
				accept: 'text/event-stream',
				'session-id': sessionId,
				originator: 'codexpool_demo',
				'user-agent': 'codexpool_demo/0.1.0',
			},
			body: JSON.stringify({
				model: 'gpt-5.5',
				stream: true,
				store: false,
				input,
				include: ['reasoning.encrypted_content'],
				prompt_cache_key: sessionId,
				reasoning: {effort: 'medium'},
			}),
		});
		if (statusCode !== 200) {
			await body.dump();
			return history;
		}

		const parser = createSseParser();
		const output: Item[] = [];
		for await (const chunk of body) {
			for (const event of parser.push(chunk as Buffer)) {
				const data = JSON.parse(event.data) as {type?: string; item?: Item};
				if (data.type === 'response.output_item.done' && data.item !== undefined) {
					output.push(data.item);
				}
			}
		}

		return [...input, ...output];
	};

	const runSession = async () => {
		const sessionId = randomUUID();
		let history: Item[] = [];
		const turns = Math.max(1, Math.round(exponential(options.meanTurns)));
		for (let i = 0; i < turns && !stopped; i++) {
			try {
				history = await turn(sessionId, history, prompts[Math.floor(options.random() * prompts.length)]!);
			} catch {
				// The demo shows failures in the request log; a synthetic user simply carries on.
			}

			await sleep(exponential(options.meanThinkMinutes));
		}
	};

	const arrive = () => {
		if (stopped) {
			return;
		}

		if (sessions.size < options.maxSessions) {
			const session = runSession().finally(() => sessions.delete(session));
			sessions.add(session);
		}

		timer = setTimeout(arrive, realMs(exponential(60 / options.sessionsPerHour)));
		timer.unref();
	};

	arrive();
	return {
		running: () => sessions.size,
		async stop() {
			stopped = true;
			clearTimeout(timer);
			await dispatcher.destroy();
		},
	};
}
