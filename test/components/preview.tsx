/*
A manual fixture (like Ink's test/fixtures): the control center over a fake core whose pool moves every
100 ms, in a real terminal. `node --import tsx test/components/preview.tsx [accounts]`. The tmux test drives it.
*/
import process from 'node:process';
import {renderApp} from '../../source/components/render-app.tsx';
import {systemClock} from '../../source/core/clock.ts';
import {createFakeCore, HOUR, MINUTE, makeAccount, makeSnapshot, makeWindow} from '../helpers/fake-core.ts';
import {busyPool} from './fixtures.ts';

const count = Number(process.argv[2] ?? 7);
const start = Date.now();
const accounts = Array.from({length: count}, (_, index) =>
	makeAccount({
		id: `acc-${index}`,
		name: `account-${index}`,
		plan: index % 2 === 0 ? 'pro' : 'plus',
		fiveHour: makeWindow({usedPercent: (index * 13) % 100, resetAt: start + ((index % 5) + 1) * HOUR}),
		weekly: makeWindow({
			usedPercent: (index * 7) % 100,
			resetAt: start + (index + 1) * 20 * HOUR,
			lengthMinutes: 10_080,
		}),
	}),
);
const core = createFakeCore(makeSnapshot({...busyPool(), mode: 'embedded', inFlight: 1, accounts}));
const timer = setInterval(() => {
	core.update((snapshot) => ({
		...snapshot,
		totals: {...snapshot.totals, requests: snapshot.totals.requests + 1},
		accounts: snapshot.accounts.map((account) => ({
			...account,
			fiveHour: account.fiveHour && {
				...account.fiveHour,
				usedPercent: Math.min(100, account.fiveHour.usedPercent + 0.05),
				exhaustsAt: start + 50 * MINUTE,
			},
		})),
	}));
}, 100);
// The fake core's actions only record; make pin and drain visible as a real core would.
const mark = (kind: 'pinned' | 'drained') => async (id: string) => {
	core.update((snapshot) => ({
		...snapshot,
		accounts: snapshot.accounts.map((account) => (account.id === id ? {...account, state: {kind}} : account)),
	}));
	return {ok: true, message: `${id} ${kind}`};
};
core.pin = mark('pinned');
core.drain = mark('drained');
const app = renderApp(core, {clock: systemClock});
await app.waitUntilExit();
clearInterval(timer);
process.stdout.write('preview: quit cleanly\n');
