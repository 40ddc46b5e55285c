import {render} from 'ink';
import {App} from '../app.tsx';
import {type Clock, systemClock} from '../core/clock.ts';
import type {Core} from '../core/contract.ts';

export type RenderAppOptions = {
	/** The clock reset countdowns run on. Default: the system clock; `codexpool demo` passes its scaled clock. */
	readonly clock?: Clock;
	/** Frames per second at most (default 10): a busy proxy never makes the UI the bottleneck. */
	readonly maxFps?: number;
	/** Real milliseconds between countdown ticks (default 1000). */
	readonly tickMs?: number;
	/**
	Redraw for new snapshots at most this often, in real ms (default 1000: with the countdown tick, an idle
	screen draws once a second however busy the core is, as htop does every 1.5 s). Keys redraw at once, and
	an action's effect shows with its result. This bounds what a busy core costs an idle screen, because Ink
	re-lays out and re-encodes the whole screen on every frame (see bench/results/tui.md).
	*/
	readonly snapshotIntervalMs?: number;
	/** Streams to draw on and read keys from (default: the process's); for tests and the benchmark. */
	readonly stdout?: NodeJS.WriteStream;
	readonly stdin?: NodeJS.ReadStream;
	readonly stderr?: NodeJS.WriteStream;
	/** Whether Ctrl-C quits at once, without the `q` confirmation (default true: the escape hatch). */
	readonly exitOnCtrlC?: boolean;
};

export type RunningApp = {
	/** Resolves when the user quits (`q`, or Ctrl-C); the caller then stops the core. */
	readonly waitUntilExit: () => Promise<void>;
	/** Takes the UI down now (e.g. on SIGTERM); `waitUntilExit` then resolves. */
	readonly unmount: () => void;
};

/**
Draws the control center for `core` until the user quits. It never stops the core: the command that made
the core owns it and calls `core.stop()` after `waitUntilExit()`.
*/
export function renderApp(core: Core, options: RenderAppOptions = {}): RunningApp {
	const app = (
		<App
			core={core}
			clock={options.clock ?? systemClock}
			tickMs={options.tickMs}
			snapshotIntervalMs={options.snapshotIntervalMs ?? 1000}
		/>
	);
	const instance = render(app, {
		maxFps: options.maxFps ?? 10,
		// Not incrementalRendering: Ink 6.8.0's incremental log-update moves the cursor up one row too few when
		// the frame ends in a newline (always, below full screen), so each frame lands a row lower (seen in tmux
		// with test/components/preview.tsx). Whole frames inside synchronized output do not flicker.
		incrementalRendering: false,
		patchConsole: true,
		exitOnCtrlC: options.exitOnCtrlC ?? true,
		...(options.stdout === undefined ? {} : {stdout: options.stdout}),
		...(options.stdin === undefined ? {} : {stdin: options.stdin}),
		...(options.stderr === undefined ? {} : {stderr: options.stderr}),
	});
	return {
		waitUntilExit: async () => {
			await instance.waitUntilExit();
		},
		unmount: () => instance.unmount(),
	};
}
