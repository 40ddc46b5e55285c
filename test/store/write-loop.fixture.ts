// Child process of crash.test.ts: writes rotated tokens in a tight loop until it is killed.
import process from 'node:process';
import {openStore} from '../../source/core/store/store.ts';
import {makeAccount} from './fixtures.ts';

const home = process.argv[2]!;
const store = openStore(home);
if (store.getAccount('acc-1') === undefined) {
	store.addAccount(makeAccount('acc-1'));
}

let n = Number(store.getAccount('acc-1')!.tokens.refreshToken.split('-').at(-1));
let written = 0;
for (;;) {
	n++;
	// Vary the size so that a torn write would show as broken JSON.
	store.updateTokens('acc-1', {
		idToken: 'x'.repeat(n % 997),
		accessToken: `at-${n}`,
		refreshToken: `rt-acc-1-${n}`,
		lastRefresh: n,
	});
	store.setSettings({strategy: `s${'y'.repeat(n % 301)}`});
	// Ready once some writes are done, so that every round kills a writer that is really writing.
	if (++written === 3) {
		process.stdout.write('ready\n');
	}
}
