import {ControlCenter} from './components/control-center.tsx';
import {CoreProvider} from './components/core-context.tsx';
import type {Clock} from './core/clock.ts';
import type {Core} from './core/contract.ts';

type Props = {
	readonly core: Core;
	/** The clock countdowns run on: the system clock, or the demo's accelerated one. */
	readonly clock: Clock;
	/** Real milliseconds between countdown ticks (1000; tests go faster). */
	readonly tickMs?: number;
	/** Pass snapshots on at most this often (real ms); 0, the default here, passes every one. */
	readonly snapshotIntervalMs?: number;
};

/** The control center over any core (embedded, attached or demo): the views cannot tell which. */
export function App({core, clock, tickMs, snapshotIntervalMs}: Props) {
	return (
		<CoreProvider core={core} clock={clock} tickMs={tickMs} snapshotIntervalMs={snapshotIntervalMs}>
			<ControlCenter />
		</CoreProvider>
	);
}
