import type {Key} from 'ink';

/**
Every key of the control center in one table: the input handler, the footer and the `?` help overlay all
read it, so a key cannot do one thing and be documented as another (gemini-cli's keyBindings table).

A key spec is a literal character (`p`, `K`, `?`) or a named key: `up`, `down`, `pageup`, `pagedown`,
`tab`, `shift+tab`, `return`, `escape`, `backspace`.
*/

/** Where a binding applies: the main screen, or one of the modal prompts that take the keys while open. */
export type KeyScope = 'main' | 'confirm' | 'picker' | 'filter' | 'caps';

export type Command =
	| 'up'
	| 'down'
	| 'pin'
	| 'drain'
	| 'evict'
	| 'restore'
	| 'caps'
	| 'kick'
	| 'refresh'
	| 'refreshAll'
	| 'strategy'
	| 'nextPanel'
	| 'previousPanel'
	| 'filter'
	| 'timeline'
	| 'help'
	| 'quit'
	| 'yes'
	| 'no'
	| 'choose'
	| 'cancel'
	| 'erase';

export type KeyBinding = {
	readonly command: Command;
	readonly scope: KeyScope;
	readonly keys: readonly string[];
	readonly description: string;
	/** The short label in the footer; bindings without one appear only in the help overlay. */
	readonly footer?: string;
	/** The footer's spelling of the keys when it differs from the list (one entry for up and down). */
	readonly footerKeys?: string;
};

export const keymap: readonly KeyBinding[] = [
	{
		command: 'up',
		scope: 'main',
		keys: ['up', 'k'],
		description: 'Select the previous account (or scroll up)',
	},
	{
		command: 'down',
		scope: 'main',
		keys: ['down', 'j'],
		description: 'Select the next account (or scroll down)',
		footer: 'select',
		footerKeys: '↑↓jk',
	},
	{
		command: 'pin',
		scope: 'main',
		keys: ['p'],
		description: 'Pin / unpin: new sessions go to the pinned accounts',
		footer: 'pin',
	},
	{
		command: 'drain',
		scope: 'main',
		keys: ['d'],
		description: 'Drain: no new sessions, running ones finish',
		footer: 'drain',
	},
	{
		command: 'evict',
		scope: 'main',
		keys: ['e'],
		description: 'Evict: no traffic, sessions move on their next request (asks)',
		footer: 'evict',
	},
	{
		command: 'restore',
		scope: 'main',
		keys: ['r'],
		description: 'Restore: clear pin, drain and evict',
		footer: 'restore',
	},
	{
		command: 'caps',
		scope: 'main',
		keys: ['c'],
		description: 'Cap: no work past a share of its 5-hour / weekly windows (asks)',
	},
	// Shift-k, not k: k moves the selection (vim), and a stray kick starts a 5-hour window at the wrong time.
	{
		command: 'kick',
		scope: 'main',
		keys: ['K'],
		description: 'Kick the selected account now (starts its windows)',
		footer: 'kick',
	},
	{
		command: 'refresh',
		scope: 'main',
		keys: ['u'],
		description: 'Refresh the selected account’s usage',
	},
	{command: 'refreshAll', scope: 'main', keys: ['U'], description: 'Refresh every account’s usage'},
	{
		command: 'strategy',
		scope: 'main',
		keys: ['s'],
		description: 'Pick the scheduling strategy',
		footer: 'strategy',
	},
	{
		command: 'nextPanel',
		scope: 'main',
		keys: ['tab'],
		description: 'Next panel: accounts, timeline, sessions, log, notices',
		footer: 'panel',
	},
	{command: 'previousPanel', scope: 'main', keys: ['shift+tab'], description: 'Previous panel'},
	{command: 'filter', scope: 'main', keys: ['/'], description: 'Filter the request log', footer: 'filter'},
	{
		command: 'timeline',
		scope: 'main',
		keys: ['t'],
		description: 'Timeline: next 5 hours / next 7 days',
		footer: '5h/7d',
	},
	{command: 'help', scope: 'main', keys: ['?'], description: 'Show / hide this help', footer: 'help'},
	{
		command: 'quit',
		scope: 'main',
		keys: ['q'],
		description: 'Quit (asks while an embedded proxy has streams running)',
		footer: 'quit',
	},
	{command: 'yes', scope: 'confirm', keys: ['y', 'Y'], description: 'Confirm'},
	{command: 'no', scope: 'confirm', keys: ['n', 'N', 'escape'], description: 'Cancel'},
	{command: 'up', scope: 'picker', keys: ['up', 'k'], description: 'Previous'},
	{command: 'down', scope: 'picker', keys: ['down', 'j'], description: 'Next'},
	{command: 'choose', scope: 'picker', keys: ['return'], description: 'Use it'},
	{command: 'cancel', scope: 'picker', keys: ['escape'], description: 'Close'},
	{command: 'choose', scope: 'filter', keys: ['return'], description: 'Keep it'},
	{command: 'cancel', scope: 'filter', keys: ['escape'], description: 'Clear it'},
	{command: 'erase', scope: 'filter', keys: ['backspace'], description: 'Erase a character'},
	{command: 'choose', scope: 'caps', keys: ['return'], description: 'Set the caps'},
	{command: 'cancel', scope: 'caps', keys: ['escape'], description: 'Leave the caps as they are'},
	{command: 'erase', scope: 'caps', keys: ['backspace'], description: 'Erase a character'},
];

/** Whether one key spec matches what Ink reported. */
export function keyMatches(spec: string, input: string, key: Key): boolean {
	switch (spec) {
		case 'up':
			return key.upArrow;
		case 'down':
			return key.downArrow;
		case 'pageup':
			return key.pageUp;
		case 'pagedown':
			return key.pageDown;
		case 'tab':
			return key.tab && !key.shift;
		case 'shift+tab':
			return key.tab && key.shift;
		case 'return':
			return key.return;
		case 'escape':
			return key.escape;
		case 'backspace':
			// Terminals send DEL (0x7f) for Backspace, which Ink reports as `delete`.
			return key.backspace || key.delete;
		default:
			return input === spec && !key.ctrl && !key.meta;
	}
}

/** The command bound to this key in `scope`, if any. */
export function commandFor(scope: KeyScope, input: string, key: Key): Command | undefined {
	for (const binding of keymap) {
		if (binding.scope === scope && binding.keys.some((spec) => keyMatches(spec, input, key))) {
			return binding.command;
		}
	}
	return undefined;
}

const keyLabels: Record<string, string> = {
	up: '↑',
	down: '↓',
	pageup: 'PgUp',
	pagedown: 'PgDn',
	tab: 'Tab',
	'shift+tab': 'Shift-Tab',
	return: 'Enter',
	escape: 'Esc',
	backspace: 'Backspace',
};

/** How a key spec is written on screen. */
export function keyLabel(spec: string): string {
	return keyLabels[spec] ?? spec;
}

/** The footer's entries, `p pin`-style pairs, in table order. */
export function footerEntries(): {readonly keys: string; readonly label: string}[] {
	const entries: {keys: string; label: string}[] = [];
	for (const binding of keymap) {
		if (binding.scope !== 'main' || binding.footer === undefined) {
			continue;
		}
		entries.push({keys: binding.footerKeys ?? binding.keys.map(keyLabel).join('/'), label: binding.footer});
	}
	return entries;
}
