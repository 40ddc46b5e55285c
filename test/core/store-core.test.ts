import assert from 'node:assert/strict';
import {test} from 'node:test';
import {createManualClock} from '../../source/core/clock.ts';
import {createStoreCore} from '../../source/core/control/store-core.ts';
import {openStore} from '../../source/core/store/store.ts';
import {makeAccount, tempDir} from '../store/fixtures.ts';

function setup() {
	const store = openStore(tempDir('codexpool-store-core-'));
	store.addAccount(makeAccount('acc-a', {name: 'alpha'}));
	store.addAccount(makeAccount('acc-b', {name: 'beta'}));
	const core = createStoreCore(store, createManualClock(1_000_000));
	return {store, core};
}

test('the store-backed core saves marks, shows them in its snapshot at once, and tells its subscribers', async () => {
	const {store, core} = setup();
	let told = 0;
	core.subscribe(() => told++);
	const notices: string[] = [];
	core.on('notice', (notice) => notices.push(notice.message));
	const result = await core.evict('alp');
	assert.deepEqual(result, {
		ok: true,
		message: 'Evicted alpha: no traffic at all; its sessions move to other accounts on their next request.',
	});
	assert.equal(store.getAccount('acc-a')?.marks.evicted, true);
	const snapshot = core.getSnapshot();
	assert.equal(snapshot.mode, 'store');
	assert.equal(snapshot.accounts.find((account) => account.name === 'alpha')?.state.kind, 'evicted');
	assert.equal(snapshot.notices[0]?.message, result.message);
	assert.deepEqual(notices, [result.message]);
	assert.ok(told >= 1);
	await core.stop();
});

test('what needs a running pool says so; a wrong name is bad input, and nothing changes', async () => {
	const {store, core} = setup();
	const kick = await core.kick('beta');
	assert.equal(kick.ok, false);
	assert.equal(kick.badInput, undefined);
	assert.match(kick.message, /^Kicking beta needs a running pool: start it with `codexpool serve`/);
	const usage = await core.refreshUsage();
	assert.equal(usage.ok, false);
	assert.match(usage.message, /^Reading usage needs a running pool/);
	const unknown = await core.pin('nobody');
	assert.deepEqual(unknown, {
		ok: false,
		message: 'No account matches "nobody". Accounts: alpha, beta.',
		badInput: true,
	});
	const strategy = await core.setStrategy('fastest');
	assert.equal(strategy.badInput, true);
	assert.ok(store.listAccounts().every((account) => !account.marks.pinned));
	assert.equal(store.getSettings().strategy, 'phase-fit');
	await core.stop();
});
