import {EventEmitter} from 'node:events';

/** A TTY-like stdout for Ink outside ink-testing-library (renderApp tests, the benchmark). */
export class FakeStdout extends EventEmitter {
	readonly isTTY = true;
	columns: number;
	rows: number;
	/** Writes that drew something (not just the synchronized-output brackets Ink puts around a frame). */
	frames = 0;
	bytes = 0;
	/** Everything written, for "did it ever show …" checks. */
	output = '';
	/** Whether to keep everything written in `output` (tests do; the benchmark does not, to measure only Ink). */
	keepOutput = true;
	constructor(columns = 110, rows = 40) {
		super();
		this.columns = columns;
		this.rows = rows;
	}
	write = (chunk: string) => {
		if (!/^\u001B\[\?2026[hl]$/.test(chunk)) {
			this.frames++;
		}
		this.bytes += chunk.length;
		if (this.keepOutput) {
			this.output += chunk;
		}
		return true;
	};
}

/** A TTY-like stdin that Ink can read keys from. */
export class FakeStdin extends EventEmitter {
	readonly isTTY = true;
	private data: string | null = null;
	write(data: string) {
		this.data = data;
		this.emit('readable');
		this.emit('data', data);
	}
	read = () => {
		const {data} = this;
		this.data = null;
		return data;
	};
	setEncoding() {}
	setRawMode() {}
	resume() {}
	pause() {}
	ref() {}
	unref() {}
}

/** The same streams typed as Ink's render options want them. */
export function fakeTerminal(columns?: number, rows?: number, keepOutput = true) {
	const stdout = new FakeStdout(columns, rows);
	stdout.keepOutput = keepOutput;
	const stdin = new FakeStdin();
	const stderr = new FakeStdout(columns, rows);
	return {
		stdout,
		stdin,
		stderr,
		streams: {
			stdout: stdout as unknown as NodeJS.WriteStream,
			stdin: stdin as unknown as NodeJS.ReadStream,
			stderr: stderr as unknown as NodeJS.WriteStream,
		},
	};
}
