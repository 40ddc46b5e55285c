import {type ChildProcess, spawn} from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {request} from 'undici';
import {serve} from '../../source/commands/serve.ts';
import {command as statusCommand} from '../../source/commands/status.ts';
import type {Io} from '../../source/commands/types.ts';
import type {CoreSnapshot} from '../../source/core/contract.ts';
import {type SimulatedUpstream, startSimulatedUpstream} from '../../source/core/simulated-backend/index.ts';
import {seededHome} from '../helpers/home.ts';
import {runCommand} from './run.ts';

/** A home with the simulated upstream's accounts imported, and the environment that points codexpool at it. */
export type TestHome = {
	readonly home: string;
	readonly upstream: SimulatedUpstream;
	readonly env: NodeJS.ProcessEnv;
};

export async function makeHome(names: readonly string[] = ['alpha', 'beta']): Promise<TestHome> {
	const upstream = await startSimulatedUpstream({
		accounts: names.map((name) => ({name, fiveHourLimit: 5000})),
	});
	return homeOver(upstream, 'codexpool-control-');
}

/**
Homes with one account whose upstream streams slowly: `next(chunks)` makes one whose turns take `chunks` writes
(frame groups over WebSocket) 100 ms apart, chunks × 0.1 s, closing the previous home's upstream first; `close`
closes the last one's.
*/
export function slowHomes(prefix: string) {
	let last: SimulatedUpstream | undefined;
	return {
		async next(chunks: number): Promise<TestHome> {
			await last?.close();
			last = await startSimulatedUpstream({
				accounts: [{name: 'alpha', fiveHourLimit: 50_000}],
				deltaCount: chunks * 4,
				streamChunks: chunks,
				chunkIntervalMs: 100,
			});
			return homeOver(last, prefix);
		},
		close: async () => {
			await last?.close();
		},
	};
}

function homeOver(upstream: SimulatedUpstream, prefix: string): TestHome {
	// The scheduler stays off (its kicks would spend the simulated quota); the scheduler tests turn it on.
	const {home} = seededHome(upstream, {}, prefix);
	return {
		home,
		upstream,
		env: {CODEXPOOL_UPSTREAM: upstream.backendUrl, CODEXPOOL_AUTH_ISSUER: upstream.issuerUrl},
	};
}

/** `codexpool serve` running in this process (the real command), stopped by `stop()` as by SIGTERM. */
export type InProcessDaemon = {
	readonly url: string;
	readonly output: () => string;
	/** Aborts the serve and resolves with its exit code. */
	readonly stop: () => Promise<number>;
};

export async function serveInProcess(
	{home, env}: TestHome,
	extraArgs: readonly string[] = [],
): Promise<InProcessDaemon> {
	let output = '';
	const io: Io = {
		stdout: (text) => {
			output += text;
		},
		stderr: (text) => {
			output += text;
		},
		env,
	};
	const controller = new AbortController();
	let listening: (url: string) => void = () => {};
	const started = new Promise<string>((resolve) => {
		listening = resolve;
	});
	const finished = serve(['--port', '0', '--home', home, ...extraArgs], io, controller.signal, listening);
	const url = await Promise.race([
		started,
		finished.then((code) => {
			throw new Error(`serve ended with ${code} before listening:\n${output}`);
		}),
	]);
	return {
		url,
		output: () => output,
		async stop() {
			controller.abort();
			return finished;
		},
	};
}

const cli = fileURLToPath(new URL('../../source/cli.tsx', import.meta.url));

/** `codexpool ...` as a child process (node + tsx), with its output collected. */
export type ChildRun = {
	readonly child: ChildProcess;
	readonly output: () => string;
	readonly waitFor: (pattern: RegExp, timeoutMs?: number) => Promise<RegExpMatchArray>;
	readonly exit: Promise<number | null>;
};

export function spawnCli(args: readonly string[], env: NodeJS.ProcessEnv): ChildRun {
	const child = spawn(process.execPath, ['--import', 'tsx', cli, ...args], {
		env: {...process.env, ...env},
		stdio: ['ignore', 'pipe', 'pipe'],
	});
	let output = '';
	const waiters = new Set<() => void>();
	const take = (chunk: Buffer) => {
		output += chunk.toString('utf8');
		for (const waiter of waiters) {
			waiter();
		}
	};
	child.stdout.on('data', take);
	child.stderr.on('data', take);
	const exit = new Promise<number | null>((resolve) => {
		child.on('exit', (code) => {
			for (const waiter of waiters) {
				waiter();
			}

			resolve(code);
		});
	});
	return {
		child,
		output: () => output,
		exit,
		waitFor: async (pattern, timeoutMs = 20_000) =>
			new Promise((resolve, reject) => {
				const check = () => {
					const match = pattern.exec(output);
					if (match) {
						waiters.delete(check);
						clearTimeout(timer);
						resolve(match);
					} else if (child.exitCode !== null) {
						waiters.delete(check);
						clearTimeout(timer);
						reject(new Error(`exited (${child.exitCode}) before ${pattern}:\n${output}`));
					}
				};
				const timer = setTimeout(() => {
					waiters.delete(check);
					reject(new Error(`timed out waiting for ${pattern}:\n${output}`));
				}, timeoutMs);
				waiters.add(check);
				check();
			}),
	};
}

/** The daemon's snapshot, straight from its admin API. */
export async function daemonState(url: string): Promise<CoreSnapshot> {
	const {body} = await request(`${url}/api/state`);
	return (await body.json()) as CoreSnapshot;
}

export function daemonFile(home: string): string {
	return path.join(home, 'daemon.json');
}

export function readDaemonFile(home: string): {url: string; pid: number} | undefined {
	try {
		return JSON.parse(fs.readFileSync(daemonFile(home), 'utf8')) as {url: string; pid: number};
	} catch {
		return undefined;
	}
}

/** One Codex-style turn through the pool; resolves with the status and the whole SSE text. */
export async function turn(url: string, session: string, text = 'hello') {
	const {statusCode, body} = await request(`${url}/backend-api/codex/responses`, {
		method: 'POST',
		headers: {'content-type': 'application/json', 'session-id': session},
		body: JSON.stringify({
			model: 'gpt-5.5',
			stream: true,
			store: false,
			input: [{type: 'message', role: 'user', content: [{type: 'input_text', text}]}],
		}),
	});
	return {statusCode, text: await body.text()};
}

/** `codexpool status ARGS --home <home>` in process. */
export async function status(home: TestHome, args: readonly string[]) {
	return runCommand(statusCommand, [...args, '--home', home.home], home.env);
}
