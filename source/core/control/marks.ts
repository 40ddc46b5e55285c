import {resolveAccount} from '../accounts/resolve.ts';
import type {Marks} from '../model.ts';
import type {Store} from '../store/store.ts';
import type {AccountRecord} from '../store/types.ts';

/** The marks a user sets from the command line (the TUI's keys). */
export const markActions = ['pin', 'unpin', 'drain', 'evict', 'restore'] as const;
export type MarkAction = (typeof markActions)[number];

/**
What each action does to an account's marks: the same rules as the core's actions (source/core/core-actions.ts),
so a mark set with no daemon running means what it would have meant on a live one.
*/
export const markChanges: Readonly<Record<MarkAction, Partial<Marks>>> = {
	pin: {pinned: true, drained: false, evicted: false},
	unpin: {pinned: false},
	drain: {drained: true, pinned: false},
	evict: {evicted: true, pinned: false},
	restore: {pinned: false, drained: false, evicted: false},
};

const describe: Readonly<Record<MarkAction, (name: string) => string>> = {
	pin: (name) => `Pinned ${name}: new sessions go to it while it is usable.`,
	unpin: (name) => `Unpinned ${name}.`,
	drain: (name) => `Draining ${name}: no new sessions; running ones finish there.`,
	evict: (name) => `Evicted ${name}: no traffic at all; its sessions move on their next request.`,
	restore: (name) => `Restored ${name}: it takes traffic as usual.`,
};

/**
Sets a mark in the store (no daemon runs): it survives restarts and a daemon started later applies it.
Throws an AccountNameError (with the candidates) for an unknown or ambiguous name.
*/
export function markInStore(
	store: Store,
	action: MarkAction,
	name: string,
): {account: AccountRecord; message: string} {
	const account = resolveAccount(name, store.listAccounts());
	const saved = store.setMarks(account.id, {...account.marks, ...markChanges[action]});
	return {account: saved, message: describe[action](saved.name)};
}
