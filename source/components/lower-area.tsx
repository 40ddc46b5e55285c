import {Box} from 'ink';
import type {CoreSnapshot} from '../core/contract.ts';
import {NoticesList} from './notices-list.tsx';
import {PanelTitle} from './panel-title.tsx';
import {filterRequests, RequestLog} from './request-log.tsx';
import {clampOffset} from './scroll.ts';
import {SessionsTable} from './sessions-table.tsx';
import {Timeline} from './timeline.tsx';
import type {UiState} from './ui-state.ts';
import {accountNameMap} from './use-control-keys.ts';

type Props = {
	readonly snapshot: CoreSnapshot;
	readonly state: UiState;
	readonly selectedId: string | undefined;
	readonly now: number;
	readonly width: number;
	/** Rows for the title and the panel together. */
	readonly maxRows: number;
};

/** The panel below the accounts: timeline, sessions, request log or notices (Tab). */
export function LowerArea({snapshot, state, selectedId, now, width, maxRows}: Props) {
	const names = accountNameMap(snapshot);
	const rows = maxRows - 1;
	const isFocused = state.focus === state.lower;
	switch (state.lower) {
		case 'timeline': {
			const {scheduler} = snapshot;
			// Off, nothing of a plan will happen: none is drawn (a daemon of an older version may still send one).
			const kicks = scheduler.enabled ? scheduler.nextKicks : [];
			return (
				<Box flexDirection="column">
					<PanelTitle
						title={state.span === '5h' ? 'Timeline · next 5 hours' : 'Timeline · next 7 days'}
						isFocused={isFocused}
						detail={planDetail(scheduler.enabled, scheduler.dryRun, kicks.length)}
					/>
					<Timeline
						accounts={snapshot.accounts}
						kicks={kicks}
						now={now}
						span={state.span}
						width={width}
						selectedId={selectedId}
						maxRows={rows}
					/>
				</Box>
			);
		}
		case 'sessions': {
			const active = snapshot.sessions.filter((session) => session.active).length;
			return (
				<Box flexDirection="column">
					<PanelTitle
						title="Sessions"
						isFocused={isFocused}
						detail={`${snapshot.sessions.length} known, ${active} in flight`}
					/>
					<SessionsTable
						sessions={snapshot.sessions}
						accountNames={names}
						now={now}
						offset={clampOffset(state.offsets.sessions, snapshot.sessions.length, rows - 1)}
						maxRows={rows}
					/>
				</Box>
			);
		}
		case 'log': {
			const matching = filterRequests(snapshot.requests, state.filter, names).length;
			return (
				<Box flexDirection="column">
					<PanelTitle
						title="Request log"
						isFocused={isFocused}
						detail={
							state.filter === ''
								? `newest first · / filters`
								: `filter “${state.filter}”: ${matching} of ${snapshot.requests.length}`
						}
					/>
					<RequestLog
						entries={snapshot.requests}
						accountNames={names}
						filter={state.filter}
						offset={clampOffset(state.offsets.log, matching, rows - 1)}
						maxRows={rows}
					/>
				</Box>
			);
		}
		case 'notices':
			return (
				<Box flexDirection="column">
					<PanelTitle title="Notices" isFocused={isFocused} detail="newest first" />
					<NoticesList
						notices={snapshot.notices}
						offset={clampOffset(state.offsets.notices, snapshot.notices.length, rows)}
						maxRows={rows}
					/>
				</Box>
			);
	}
}

/** The timeline's title detail: how many kicks are planned, and whether they will be sent. */
export function planDetail(isEnabled: boolean, isDryRun: boolean, kicks: number): string {
	if (!isEnabled) {
		return 'scheduler off: no kicks planned';
	}
	const planned = `${kicks} planned kick${kicks === 1 ? '' : 's'}`;
	return isDryRun ? `${planned}, dry run: logged, not sent` : planned;
}
