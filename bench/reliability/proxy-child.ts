import {type ChildProcess, fork} from 'node:child_process';
import {once} from 'node:events';
import {fileURLToPath} from 'node:url';
import type {Notice, RequestLogEntry} from '../../source/core/contract.ts';

export type ProxyStats = {
	readonly memory: NodeJS.MemoryUsage;
	readonly loopDelayMaxMs: number;
	readonly loopDelayP99Ms: number;
};

/** The pool running in a child process (proxy-process.ts), and what it told us. */
export type ProxyChild = {
	readonly url: string;
	readonly pid: number;
	readonly child: ChildProcess;
	readonly requests: RequestLogEntry[];
	readonly notices: Notice[];
	readonly moves: unknown[];
	/** Everything the child wrote on stdout and stderr. */
	readonly output: () => string;
	/** The child's own `process.memoryUsage()` and its worst event-loop delays so far. */
	readonly stats: () => Promise<ProxyStats>;
	/** Stops the core and waits for the process to exit; resolves to its exit code. */
	readonly stop: () => Promise<number | null>;
};

const entry = fileURLToPath(new URL('./proxy-process.ts', import.meta.url));

/** Forks proxy-process.ts on a prepared home and waits until it listens. */
export async function startProxyChild(options: {
	home: string;
	upstream: string;
	issuer: string;
	speed: number;
	clockStart: number;
	clockEpoch: number;
}): Promise<ProxyChild> {
	const child = fork(
		entry,
		[
			'--home',
			options.home,
			'--upstream',
			options.upstream,
			'--issuer',
			options.issuer,
			'--speed',
			String(options.speed),
			'--clock-start',
			String(options.clockStart),
			'--clock-epoch',
			String(options.clockEpoch),
		],
		{execArgv: ['--import', 'tsx'], stdio: ['ignore', 'pipe', 'pipe', 'ipc']},
	);
	// Never outlive the parent, whatever happens to it.
	const killChild = () => child.kill('SIGKILL');
	process.once('exit', killChild);
	child.once('exit', () => process.off('exit', killChild));
	let output = '';
	const requests: RequestLogEntry[] = [];
	const notices: Notice[] = [];
	const moves: unknown[] = [];
	const statsWaiters: ((stats: ProxyStats) => void)[] = [];
	child.stderr?.on('data', (chunk: Buffer) => {
		output += chunk.toString('utf8');
	});
	child.on('message', (message: {type: string; payload: unknown}) => {
		if (message.type === 'request') {
			requests.push(message.payload as RequestLogEntry);
		} else if (message.type === 'notice') {
			notices.push(message.payload as Notice);
		} else if (message.type === 'move') {
			moves.push(message.payload);
		} else if (message.type === 'stats') {
			statsWaiters.shift()?.(message.payload as ProxyStats);
		}
	});

	const first = await new Promise<{url: string; pid: number}>((resolve, reject) => {
		let buffered = '';
		const onData = (chunk: Buffer) => {
			output += chunk.toString('utf8');
			buffered += chunk.toString('utf8');
			const newline = buffered.indexOf('\n');
			if (newline !== -1) {
				child.stdout?.off('data', onData);
				child.stdout?.on('data', (more: Buffer) => {
					output += more.toString('utf8');
				});
				try {
					resolve(JSON.parse(buffered.slice(0, newline)) as {url: string; pid: number});
				} catch (error) {
					reject(error);
				}
			}
		};

		child.stdout?.on('data', onData);
		child.once('exit', (code) =>
			reject(new Error(`The proxy process exited (${code}) before listening:\n${output}`)),
		);
	});

	return {
		url: first.url,
		pid: first.pid,
		child,
		requests,
		notices,
		moves,
		output: () => output,
		stats: () =>
			new Promise((resolve) => {
				statsWaiters.push(resolve);
				child.send({type: 'stats'});
			}),
		async stop() {
			if (child.exitCode !== null) {
				return child.exitCode;
			}

			const exited = once(child, 'exit');
			child.send({type: 'stop'});
			const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
			const [code] = (await exited) as [number | null];
			clearTimeout(timer);
			return code;
		},
	};
}
