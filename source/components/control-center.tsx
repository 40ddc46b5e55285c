import {Box, useApp} from 'ink';
import {type ReactNode, useEffect, useState} from 'react';
import {AccountsPanel} from './accounts-panel.tsx';
import {useCore, useNow, usePeekNow, useRefreshSnapshot, useSnapshot} from './core-context.tsx';
import {countdownResolution} from './countdown-resolution.ts';
import {Footer} from './footer.tsx';
import {Header} from './header.tsx';
import {HelpOverlay} from './help-overlay.tsx';
import {LowerArea} from './lower-area.tsx';
import {Onboarding} from './onboarding.tsx';
import {PromptLine} from './prompt-line.tsx';
import {StoreDamageLine, storeDamageText, wrapWords} from './store-damage-line.tsx';
import {StrategyPicker} from './strategy-picker.tsx';
import {initialUiState, selectedAccount, type UiState} from './ui-state.ts';
import {useControlKeys} from './use-control-keys.ts';
import {useTerminalSize} from './use-terminal-size.ts';

/** How long an action's result stays on the status line. */
const statusMs = 6000;

/** Rows taken by everything but the account rows and the lower panel's content. */
const chromeRows = 9;
/** The lower panel keeps at least this many rows however many accounts there are. */
const minLowerRows = 7;

/** The whole screen: header, accounts, one lower panel (Tab), status line and footer. */
export function ControlCenter() {
	const snapshot = useSnapshot();
	const core = useCore();
	const [state, setState] = useState<UiState>(initialUiState);
	const now = useNow(countdownResolution(snapshot, usePeekNow(), state.lower));
	const {exit} = useApp();
	const {columns, rows} = useTerminalSize();
	const refresh = useRefreshSnapshot();
	useControlKeys({snapshot, state, update: setState, core, exit, refresh});

	const {status} = state;
	useEffect(() => {
		if (status === undefined || status.tone === 'muted') {
			return;
		}
		const timer = setTimeout(
			() => setState((s) => (s.status === status ? {...s, status: undefined} : s)),
			statusMs,
		);
		return () => clearTimeout(timer);
	}, [status]);

	const selected = selectedAccount(snapshot.accounts, state.selectedId);
	// One row short of the terminal: a frame as tall as the screen makes Ink clear it on every render (flicker).
	const available = Math.max(
		6,
		rows - chromeRows - wrapWords(storeDamageText(snapshot.storeDamage), columns).length,
	);
	const accountRows = Math.min(snapshot.accounts.length, Math.max(3, available - minLowerRows));
	const lowerRows = Math.max(3, available - accountRows);

	let body: ReactNode;
	if (state.overlay.kind === 'help') {
		body = <HelpOverlay />;
	} else if (snapshot.accounts.length === 0) {
		body = <Onboarding proxyUrl={snapshot.proxyUrl} />;
	} else {
		body = (
			<>
				<AccountsPanel
					accounts={snapshot.accounts}
					selectedId={selected?.id}
					now={now}
					isFocused={state.focus === 'accounts'}
					maxRows={accountRows}
					width={columns}
				/>
				{state.overlay.kind === 'picker' ? (
					<StrategyPicker
						strategies={snapshot.strategies}
						current={snapshot.strategy}
						highlighted={state.overlay.highlighted}
						maxRows={lowerRows}
					/>
				) : (
					<LowerArea
						snapshot={snapshot}
						state={state}
						selectedId={selected?.id}
						now={now}
						width={columns}
						maxRows={lowerRows}
					/>
				)}
			</>
		);
	}

	return (
		<Box flexDirection="column" width={columns}>
			<Header snapshot={snapshot} now={now} />
			<StoreDamageLine damage={snapshot.storeDamage} columns={columns} />
			{body}
			<PromptLine snapshot={snapshot} state={state} />
			<Footer width={columns} />
		</Box>
	);
}
