import type {ChildProcessByStdio, ChildProcessWithoutNullStreams} from 'node:child_process';
import type {Readable} from 'node:stream';

type ServeChild = ChildProcessWithoutNullStreams | ChildProcessByStdio<null, Readable, Readable>;

/** Follows a `codexpool serve` child: the URL it says it listens at, its exit code, and everything it printed. */
export function watchServe(child: ServeChild) {
	let output = '';
	const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
	const url = new Promise<string>((resolve, reject) => {
		const take = (chunk: Buffer) => {
			output += chunk.toString('utf8');
			const match = /at (http:\/\/127\.0\.0\.1:\d+)\n/.exec(output);
			if (match) {
				resolve(match[1]!);
			}
		};
		child.stdout.on('data', take);
		child.stderr.on('data', take);
		void exited.then((code) => reject(new Error(`serve exited (${code}):\n${output}`)));
	});
	return {url, exited, output: () => output};
}
