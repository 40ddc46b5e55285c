import {stripVTControlCharacters} from 'node:util';
import {render} from 'ink-testing-library';
import type {ReactElement} from 'react';
import {App} from '../../source/app.tsx';
import {CoreProvider} from '../../source/components/core-context.tsx';
import {createManualClock, type ManualClock} from '../../source/core/clock.ts';
import type {CoreSnapshot} from '../../source/core/contract.ts';
import {delay} from '../helpers/eventually.ts';
import {createFakeCore, type FakeCore, makeSnapshot, T0} from '../helpers/fake-core.ts';

/** The last frame without colours, so assertions do not depend on the theme. */
export function plain(frame: string | undefined): string {
	return stripVTControlCharacters(frame ?? '');
}

export {delay, eventually} from '../helpers/eventually.ts';

/**
Waits until the app has drawn nothing new for a little while: React commits a key's update on its own
schedule, so a fixed sleep is either slow or flaky.
*/
export async function settled(
	instance: ReturnType<typeof render>,
	quietMs = 30,
	timeoutMs = 2000,
): Promise<void> {
	const started = Date.now();
	let count = instance.frames.length;
	let stableSince = Date.now();
	while (Date.now() - stableSince < quietMs && Date.now() - started < timeoutMs) {
		await delay(5);
		if (instance.frames.length !== count) {
			count = instance.frames.length;
			stableSince = Date.now();
		}
	}
}

export type Rendered = ReturnType<typeof render> & {
	readonly core: FakeCore;
	readonly clock: ManualClock;
	/** The current frame, ANSI stripped. */
	readonly text: () => string;
	/** Types keys one at a time, letting Ink handle each before the next. */
	readonly press: (...keys: string[]) => Promise<void>;
};

function wrap(instance: ReturnType<typeof render>, core: FakeCore, clock: ManualClock): Rendered {
	return {
		...instance,
		core,
		clock,
		text: () => plain(instance.lastFrame()),
		async press(...keys) {
			for (const key of keys) {
				instance.stdin.write(key);
				await settled(instance);
			}
		},
	};
}

/** The whole app over a fake core and a manual clock at T0. */
export async function renderApp(snapshot: Partial<CoreSnapshot> = {}, tickMs = 1000): Promise<Rendered> {
	const core = createFakeCore(makeSnapshot(snapshot));
	const clock = createManualClock(T0);
	const instance = render(<App core={core} clock={clock} tickMs={tickMs} />);
	await settled(instance);
	return wrap(instance, core, clock);
}

/** One view inside a CoreProvider (for views that read the core or the clock). */
export function renderWithCore(tree: ReactElement, snapshot: Partial<CoreSnapshot> = {}): Rendered {
	const core = createFakeCore(makeSnapshot(snapshot));
	const clock = createManualClock(T0);
	const instance = render(
		<CoreProvider core={core} clock={clock}>
			{tree}
		</CoreProvider>,
	);
	return wrap(instance, core, clock);
}
