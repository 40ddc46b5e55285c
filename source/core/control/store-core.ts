import {EventEmitter} from 'node:events';
import {type Clock, systemClock} from '../clock.ts';
import type {Core, CoreEvents, CoreSnapshot, Notice, NoticeLevel} from '../contract.ts';
import {createCoreActions} from '../core-actions.ts';
import {Ring} from '../ring.ts';
import type {Store} from '../store/store.ts';
import {snapshotFromStore} from './store-snapshot.ts';

/**
The `Core` of a home that no daemon serves: the same actions as the embedded and the remote core, with the
same messages, acting on the store alone. Marks and settings are saved and apply when the pool starts; what
needs a running pool (kicks, usage reads) says so. Its snapshot is what the store knows (accounts, marks,
logins, settings; no usage, sessions or plan).
*/
export function createStoreCore(store: Store, clock: Clock = systemClock): Core {
	const emitter = new EventEmitter<CoreEvents>();
	const listeners = new Set<() => void>();
	const notices = new Ring<Notice>(50);
	let noticeCount = 0;
	let snapshot: CoreSnapshot | undefined;
	const build = () => ({...snapshotFromStore(store, clock.now()), notices: notices.items});
	const flush = () => {
		snapshot = undefined;
		for (const listener of listeners) {
			listener();
		}
	};

	const notify = (level: NoticeLevel, message: string) => {
		const notice: Notice = {id: `n${++noticeCount}`, at: clock.now(), level, message};
		notices.push(notice);
		emitter.emit('notice', notice);
	};

	const stopStoreListen = store.onDidChange(() => {
		snapshot = undefined;
	});
	return {
		...createCoreActions({store, notify, flush}),
		subscribe(listener) {
			listeners.add(listener);
			return () => listeners.delete(listener);
		},
		getSnapshot() {
			snapshot ??= build();
			return snapshot;
		},
		on(event, listener) {
			emitter.on(event, listener as never);
			return () => emitter.off(event, listener as never);
		},
		async stop() {
			stopStoreListen();
			listeners.clear();
			emitter.removeAllListeners();
		},
	};
}
