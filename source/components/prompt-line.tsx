import type {CoreSnapshot} from '../core/contract.ts';
import {StatusLine} from './status-line.tsx';
import type {UiState} from './ui-state.ts';

type Props = {
	readonly snapshot: CoreSnapshot;
	readonly state: UiState;
};

/** The line above the footer: a question waiting for y/n, the filter being typed, or the last result. */
export function PromptLine({snapshot, state}: Props) {
	const {overlay} = state;
	if (overlay.kind === 'confirm-evict') {
		const account = snapshot.accounts.find((candidate) => candidate.id === overlay.accountId);
		const name = account?.name ?? overlay.accountId;
		const sessions = account?.runningSessions ?? 0;
		return (
			<StatusLine
				status={{
					text: `Evict ${name}? No traffic until restored (r); its ${sessions} session${sessions === 1 ? '' : 's'} move on their next request. y / n`,
					tone: 'warning',
				}}
			/>
		);
	}
	if (overlay.kind === 'confirm-quit') {
		const streams = snapshot.inFlight;
		// The question stays open while streams finish: say what is true now, not when it was asked.
		const text =
			streams === 0
				? 'The streams have finished. Quit? y / n'
				: `${streams} stream${streams === 1 ? ' is' : 's are'} still running through this proxy; quitting cuts ${streams === 1 ? 'it' : 'them'}. Quit? y / n`;
		return <StatusLine status={{text, tone: 'warning'}} />;
	}
	if (overlay.kind === 'filter') {
		return (
			<StatusLine
				status={{text: `filter log: ${state.filter}▏  (Enter keeps, Esc clears)`, tone: 'accent'}}
			/>
		);
	}
	if (overlay.kind === 'caps') {
		const name = snapshot.accounts.find((candidate) => candidate.id === overlay.accountId)?.name;
		// A correction after a refused entry: the reason stays in sight above the text being fixed.
		const refused = state.status?.tone === 'error' ? `${state.status.text}  ` : '';
		return (
			<StatusLine
				status={{
					text: `${refused}caps of ${name ?? overlay.accountId}, 5-hour/weekly %: ${overlay.text}▏  (e.g. 90/80, /80, off; Enter sets, Esc leaves)`,
					tone: refused === '' ? 'accent' : 'error',
				}}
			/>
		);
	}

	return <StatusLine status={state.status} />;
}
