import assert from 'node:assert/strict';
import {test} from 'node:test';
import {stripVTControlCharacters} from 'node:util';
import {render} from 'ink-testing-library';
import {App} from '../../source/app.tsx';
import {systemClock} from '../../source/core/clock.ts';
import {startEmbeddedCore} from '../../source/core/core.ts';
import {openStore} from '../../source/core/store/store.ts';
import {eventually} from '../helpers/eventually.ts';
import {homeWithAccountWithoutTokens} from '../store/fixtures.ts';

/*
Issue 17: store damage was said once. The commands now say it every time; the control center showed the
pool as if nothing had happened. One account without tokens is set aside: the pool runs the others, and the
screen says which file holds it and what to do.
*/
test('the control center over a damaged store says what was set aside, where, and what to do', async (t) => {
	const home = homeWithAccountWithoutTokens();
	const store = openStore(home);
	const [damage] = store.damage();
	assert.ok(damage !== undefined, 'bob was set aside');
	// Nothing answers on port 9: the usage polls fail, which is not what this is about.
	const core = await startEmbeddedCore({store, port: 0, upstream: 'http://127.0.0.1:9', watchStore: false});
	t.after(() => core.stop());
	const snapshot = core.getSnapshot();
	assert.deepEqual(snapshot.storeDamage, [damage]);
	assert.deepEqual(
		snapshot.accounts.map((account) => account.name),
		['alice'],
	);
	assert.ok(
		snapshot.notices.some((notice) => notice.message === damage.message),
		'said in full in the notices',
	);

	const app = render(<App core={core} clock={systemClock} />);
	t.after(() => app.unmount());
	await eventually(() => {
		const text = stripVTControlCharacters(app.lastFrame() ?? '').replaceAll(/\s+/g, ' ');
		assert.ok(text.includes(`Store damaged: what could not be used is in ${damage.file}.`), text);
		assert.ok(text.includes('Add those accounts again (codexpool login, or codexpool import PATH)'), text);
	}, 2000);
});
