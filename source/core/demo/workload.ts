import {randomUUID} from 'node:crypto';
import {Agent} from 'undici';
import type {Clock} from '../clock.ts';
import type {Random} from '../random.ts';
import {httpModel, type ModelCall} from './model-http.ts';
import {type WebSocketModel, webSocketModel} from './model-websocket.ts';

/**
The demo's synthetic users: Codex-like sessions that arrive at random, each sending a few turns through
the proxy (encrypted reasoning included, as Codex does), some turns with a short tool loop, so that a newcomer
watches windows fill, sessions stick to their account and move when it runs out. Sessions speak the Responses
WebSocket mode as Codex does (a warm-up, then only the new items of each request), or HTTP with the whole
conversation each time; a session whose upgrade is answered 426 uses HTTP.
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
	/** `websocket` (default), `http`, or `mixed` (each session picks one at random). */
	readonly transport?: WorkloadTransport;
	/** A turn asks for 0..maxToolRounds shell calls (`tool-rounds:N`), each one more request (default 0). */
	readonly maxToolRounds?: number;
	/** Headers every request carries besides the session's own (the pool needs none). */
	readonly headers?: Readonly<Record<string, string>>;
};

export type WorkloadTransport = 'websocket' | 'http' | 'mixed';

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

/** What Codex sends first: its base instructions as a developer message (and the warm-up's whole input). */
const INSTRUCTIONS: Item = {
	type: 'message',
	role: 'developer',
	content: [{type: 'input_text', text: 'You are a synthetic Codex session of the codexpool demo.'}],
};

/** The shell tool Codex 0.171 offers; the simulated model calls it for `tool-rounds:N`. */
const EXEC_COMMAND = {
	type: 'function',
	name: 'exec_command',
	description: 'Runs a command in a PTY, returning output or a session ID for ongoing interaction.',
	strict: false,
	parameters: {
		type: 'object',
		properties: {cmd: {type: 'string'}},
		required: ['cmd'],
		additionalProperties: false,
	},
};

const user = (text: string): Item => ({type: 'message', role: 'user', content: [{type: 'input_text', text}]});

export function startWorkload(options: WorkloadOptions): Workload {
	const dispatcher = new Agent({keepAliveTimeout: 10_000, connections: 16});
	const sessions = new Set<Promise<void>>();
	const sockets = new Set<WebSocketModel>();
	const transport = options.transport ?? 'websocket';
	const maxToolRounds = options.maxToolRounds ?? 0;
	const responsesUrl = `${options.proxyUrl}/backend-api/codex/responses`;
	let stopped = false;
	// Once the pool answered an upgrade 426, later sessions go straight to HTTP.
	let websocketRefused = false;
	let timer: NodeJS.Timeout | undefined;

	const realMs = (clockMinutes: number) => (clockMinutes * 60_000) / options.clock.speed;
	const exponential = (mean: number) => -Math.log(1 - options.random()) * mean;

	const sleep = async (clockMinutes: number) =>
		new Promise<void>((resolve) => {
			const wait = setTimeout(resolve, realMs(clockMinutes));
			wait.unref();
		});

	/** The session's model: WebSocket first (per `transport`), HTTP after a 426. */
	const sessionModel = (sessionId: string) => {
		const headers = {
			...options.headers,
			'session-id': sessionId,
			originator: 'codexpool_demo',
			'user-agent': 'codexpool_demo/0.1.0',
		};
		const fields = {
			model: 'gpt-5.5',
			stream: true,
			store: false,
			tools: [EXEC_COMMAND],
			tool_choice: 'auto',
			parallel_tool_calls: false,
			include: ['reasoning.encrypted_content'],
			prompt_cache_key: sessionId,
			reasoning: {effort: 'medium'},
		};
		const http = httpModel({url: responsesUrl, dispatcher, headers, fields});
		const wantsWebSocket =
			!websocketRefused && (transport === 'websocket' || (transport === 'mixed' && options.random() < 0.5));
		if (!wantsWebSocket) {
			return {call: http, close() {}};
		}

		const socket = webSocketModel({
			url: responsesUrl.replace(/^http/, 'ws'),
			headers,
			fields,
			warmUp: [INSTRUCTIONS],
		});
		sockets.add(socket);
		const call: ModelCall = async (input) => {
			if (websocketRefused) {
				return http(input);
			}

			const output = await socket.call(input);
			if (socket.refused()) {
				websocketRefused = true;
				return http(input);
			}

			return output;
		};

		return {
			call,
			close() {
				socket.close();
				sockets.delete(socket);
			},
		};
	};

	/** One user turn: the model answers, calling the shell tool first when the turn asked for tool rounds. */
	const turn = async (model: ModelCall, history: Item[], text: string): Promise<Item[]> => {
		let input = [...history, user(text)];
		for (let request = 0; request <= maxToolRounds; request++) {
			const output = await model(input);
			if (output === undefined) {
				return history;
			}

			input = [...input, ...output];
			const call = output.find((item) => item.type === 'function_call');
			if (call === undefined) {
				return input;
			}

			input.push({type: 'function_call_output', call_id: call.call_id, output: `ok (round ${request + 1})`});
		}

		return input;
	};

	const runSession = async () => {
		const sessionId = randomUUID();
		const model = sessionModel(sessionId);
		let history: Item[] = [INSTRUCTIONS];
		const turns = Math.max(1, Math.round(exponential(options.meanTurns)));
		try {
			for (let i = 0; i < turns && !stopped; i++) {
				const rounds = Math.floor(options.random() * (maxToolRounds + 1));
				const text = prompts[Math.floor(options.random() * prompts.length)]!;
				try {
					history = await turn(model.call, history, rounds > 0 ? `${text} tool-rounds:${rounds}` : text);
				} catch {
					// The demo shows failures in the request log; a synthetic user simply carries on.
				}

				await sleep(exponential(options.meanThinkMinutes));
			}
		} finally {
			model.close();
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
			for (const socket of sockets) {
				socket.close();
			}

			await dispatcher.destroy();
		},
	};
}
