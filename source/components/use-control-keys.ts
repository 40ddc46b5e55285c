import {type Key, useInput, useStdin} from 'ink';
import {useCallback, useLayoutEffect, useRef} from 'react';
import type {AccountSnapshot, ActionResult, Core, CoreSnapshot} from '../core/contract.ts';
import {capsInputText, parseCapsInput} from './caps-input.ts';
import {splitKeys} from './key-chunks.ts';
import {type Command, commandFor} from './keymap.ts';
import {filterRequests} from './request-log.tsx';
import {
	cyclePanel,
	type LowerPanel,
	moveSelection,
	type Overlay,
	scroll,
	selectedAccount,
	type UiState,
} from './ui-state.ts';

type Update = (change: (state: UiState) => UiState) => void;

type Context = {
	readonly snapshot: CoreSnapshot;
	readonly state: UiState;
	readonly update: Update;
	readonly core: Core;
	readonly exit: () => void;
	/** Shows the core's latest snapshot at once, so an action's effect appears with its result. */
	readonly refresh: () => void;
};

/** Shows `pending` at once, then the action's result; an action that throws anyway is shown as a failure. */
export function runAction(
	context: Pick<Context, 'update' | 'refresh'>,
	pending: string,
	action: () => Promise<ActionResult>,
): void {
	const {update, refresh} = context;
	update((state) => ({...state, status: {text: pending, tone: 'muted'}}));
	const show = (result: ActionResult) => {
		refresh();
		update((state) => ({...state, status: {text: result.message, tone: result.ok ? 'ok' : 'error'}}));
	};
	action().then(show, (error: unknown) =>
		show({
			ok: false,
			message: `${pending.replace(/…$/, '')} failed: ${error instanceof Error ? error.message : String(error)}`,
		}),
	);
}

function panelLength(snapshot: CoreSnapshot, state: UiState, panel: LowerPanel): number {
	switch (panel) {
		case 'timeline':
			return snapshot.accounts.length;
		case 'sessions':
			return snapshot.sessions.length;
		case 'log':
			return filterRequests(snapshot.requests, state.filter, accountNameMap(snapshot)).length;
		case 'notices':
			return snapshot.notices.length;
	}
}

export function accountNameMap(snapshot: CoreSnapshot): ReadonlyMap<string, string> {
	return new Map(snapshot.accounts.map((account) => [account.id, account.name]));
}

/** Whether quitting now would cut streams this process serves (an attached TUI leaves the daemon running). */
export function quitNeedsConfirmation(snapshot: CoreSnapshot): boolean {
	return snapshot.mode !== 'attached' && snapshot.inFlight > 0;
}

type AccountAction = (
	core: Core,
	account: AccountSnapshot,
) => {pending: string; run: () => Promise<ActionResult>};

/** The keys that act on the selected account at once (evict asks first, so it is not here). */
const accountActions: Partial<Record<Command, AccountAction>> = {
	pin: (core, account) =>
		account.marks.pinned
			? {pending: `Unpinning ${account.name}…`, run: () => core.unpin(account.id)}
			: {pending: `Pinning ${account.name}…`, run: () => core.pin(account.id)},
	drain: (core, account) => ({pending: `Draining ${account.name}…`, run: () => core.drain(account.id)}),
	restore: (core, account) => ({pending: `Restoring ${account.name}…`, run: () => core.restore(account.id)}),
	kick: (core, account) => ({pending: `Kicking ${account.name}…`, run: () => core.kick(account.id)}),
	refresh: (core, account) => ({
		pending: `Refreshing ${account.name}’s usage…`,
		run: () => core.refreshUsage(account.id),
	}),
};

function handleMain(context: Context, input: string, key: Key): void {
	const {snapshot, state, update, core, exit} = context;
	const command = commandFor('main', input, key);
	if (command === undefined) {
		return;
	}
	const account = selectedAccount(snapshot.accounts, state.selectedId);
	const accountAction = accountActions[command];
	if (accountAction !== undefined || command === 'evict' || command === 'caps') {
		if (account === undefined) {
			update((s) => ({...s, status: {text: 'No account to act on yet: add one first.', tone: 'warning'}}));
		} else if (command === 'caps') {
			const text = capsInputText(account.caps);
			update((s) => ({...s, overlay: {kind: 'caps', accountId: account.id, text}}));
		} else if (accountAction === undefined) {
			update((s) => ({...s, overlay: {kind: 'confirm-evict', accountId: account.id}}));
		} else {
			const {pending, run} = accountAction(core, account);
			runAction(context, pending, run);
		}
		return;
	}
	switch (command) {
		case 'up':
		case 'down': {
			const delta = command === 'up' ? -1 : 1;
			if (state.focus === 'accounts' || state.focus === 'timeline') {
				// From the state being updated, not the rendered one: keys can arrive faster than renders.
				update((s) => ({...s, selectedId: moveSelection(snapshot.accounts, s.selectedId, delta)}));
			} else {
				const panel = state.focus;
				update((s) => scroll(s, panel, delta, panelLength(snapshot, s, panel)));
			}
			return;
		}
		case 'refreshAll':
			runAction(context, 'Refreshing every account’s usage…', () => core.refreshUsage());
			return;
		case 'strategy': {
			const current = snapshot.strategies.findIndex((strategy) => strategy.name === snapshot.strategy);
			update((s) => ({...s, overlay: {kind: 'picker', highlighted: Math.max(0, current)}}));
			return;
		}
		case 'nextPanel':
		case 'previousPanel':
			update((s) => cyclePanel(s, command === 'nextPanel' ? 1 : -1));
			return;
		case 'filter':
			update((s) => ({...s, overlay: {kind: 'filter'}, focus: 'log', lower: 'log'}));
			return;
		case 'timeline':
			update((s) => ({
				...s,
				span: s.span === '5h' ? '7d' : '5h',
				lower: 'timeline',
				focus: s.focus === 'accounts' ? 'accounts' : 'timeline',
			}));
			return;
		case 'help':
			update((s) => ({...s, overlay: {kind: 'help'}}));
			return;
		case 'quit':
			if (quitNeedsConfirmation(snapshot)) {
				update((s) => ({...s, overlay: {kind: 'confirm-quit'}}));
				return;
			}
			exit();
			return;
		default:
			return;
	}
}

function handleOverlay(context: Context, input: string, key: Key): void {
	const {snapshot, state, update, core, exit} = context;
	const {overlay} = state;
	const close = (s: UiState): UiState => ({...s, overlay: {kind: 'none'}});
	switch (overlay.kind) {
		case 'help':
			if (input === '?' || input === 'q' || key.escape) {
				update(close);
			}
			return;
		case 'confirm-evict':
		case 'confirm-quit': {
			const command = commandFor('confirm', input, key);
			if (command === 'no') {
				update((s) => ({...close(s), status: {text: 'Cancelled.', tone: 'muted'}}));
			} else if (command === 'yes') {
				update(close);
				if (overlay.kind === 'confirm-quit') {
					exit();
					return;
				}
				const name = snapshot.accounts.find((account) => account.id === overlay.accountId)?.name;
				runAction(context, `Evicting ${name ?? overlay.accountId}…`, () => core.evict(overlay.accountId));
			}
			return;
		}
		case 'picker': {
			const command = commandFor('picker', input, key);
			const count = snapshot.strategies.length;
			if (command === 'up' || command === 'down') {
				const delta = command === 'up' ? -1 : 1;
				const highlighted = Math.min(Math.max(0, overlay.highlighted + delta), Math.max(0, count - 1));
				update((s) => ({...s, overlay: {kind: 'picker', highlighted}}));
			} else if (command === 'cancel') {
				update(close);
			} else if (command === 'choose') {
				update(close);
				const strategy = snapshot.strategies[overlay.highlighted];
				if (strategy !== undefined) {
					runAction(context, `Switching to ${strategy.name}…`, () => core.setStrategy(strategy.name));
				}
			}
			return;
		}
		case 'filter': {
			const command = commandFor('filter', input, key);
			if (command === 'choose') {
				update(close);
			} else if (command === 'cancel') {
				update((s) => ({...close(s), filter: '', offsets: {...s.offsets, log: 0}}));
			} else if (command === 'erase') {
				update((s) => ({...s, filter: [...s.filter].slice(0, -1).join(''), offsets: {...s.offsets, log: 0}}));
			} else if (input !== '' && !key.ctrl && !key.meta && !key.tab && !/[\u0000-\u001f]/.test(input)) {
				update((s) => ({...s, filter: s.filter + input, offsets: {...s.offsets, log: 0}}));
			}
			return;
		}
		case 'caps': {
			handleCapsPrompt(context, overlay, input, key);
			return;
		}
		case 'none':
			return;
	}
}

/** The caps prompt: digits, `/` and `off` as typed; Enter sets them through the core, Esc leaves them. */
function handleCapsPrompt(
	context: Context,
	overlay: Extract<Overlay, {kind: 'caps'}>,
	input: string,
	key: Key,
): void {
	const {snapshot, update, core} = context;
	const close = (s: UiState): UiState => ({...s, overlay: {kind: 'none'}});
	const command = commandFor('caps', input, key);
	if (command === 'cancel') {
		update((s) => ({...close(s), status: {text: 'Caps left as they were.', tone: 'muted'}}));
	} else if (command === 'erase') {
		update((s) => ({...s, overlay: {...overlay, text: [...overlay.text].slice(0, -1).join('')}}));
	} else if (command === 'choose') {
		const parsed = parseCapsInput(overlay.text);
		if ('error' in parsed) {
			// The prompt stays open with what was typed, so it can be corrected.
			update((s) => ({...s, status: {text: parsed.error, tone: 'error'}}));
			return;
		}

		update(close);
		const name =
			snapshot.accounts.find((account) => account.id === overlay.accountId)?.name ?? overlay.accountId;
		runAction(context, `Setting the caps of ${name}…`, () => core.setCaps(overlay.accountId, parsed.caps));
	} else if (/^[0-9/ofOF. ]$/.test(input) && !key.ctrl && !key.meta) {
		update((s) => ({...s, overlay: {...overlay, text: overlay.text + input}}));
	}
}

/** All keyboard handling of the control center, driven by the keymap table. */
export function useControlKeys(context: Context): void {
	// Ink re-subscribes a changed handler in a passive effect, which can run after the next key arrives; a
	// stable handler reading the latest render's context (set on commit) never acts on a stale selection.
	const latest = useRef(context);
	useLayoutEffect(() => {
		latest.current = context;
	});
	const handle = useCallback((input: string, key: Key) => {
		for (const [char, charKey] of splitKeys(input, key, latest.current.state.overlay.kind === 'filter')) {
			const rendered = latest.current;
			// Apply each change to our copy too, so the next key of the same chunk sees it before React renders.
			const update: Update = (change) => {
				latest.current = {...latest.current, state: change(latest.current.state)};
				rendered.update(change);
			};
			const current = {...rendered, update};
			if (current.state.overlay.kind === 'none') {
				handleMain(current, char, charKey);
			} else {
				handleOverlay(current, char, charKey);
			}
		}
	}, []);
	// Without a terminal to read keys from (stdin piped), show the screen and take no keys rather than throw.
	const {isRawModeSupported} = useStdin();
	useInput(handle, {isActive: isRawModeSupported});
}
