import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {test} from 'node:test';
import {command} from '../../source/commands/keys.ts';
import {createPoolKeys} from '../../source/core/keys/pool-keys.ts';
import {openStore} from '../../source/core/store/store.ts';
import {runCommand} from '../commands/run.ts';

function tempHome(t: {after: (fn: () => void) => void}): string {
	const home = fs.mkdtempSync(path.join(os.tmpdir(), 'codexpool-keys-'));
	t.after(() => fs.rmSync(home, {recursive: true, force: true}));
	return home;
}

test('keys create prints the key once; the store keeps only its hash; it verifies', async (t) => {
	const home = tempHome(t);
	const created = await runCommand(command, ['create', '--name', 'laptop', '--home', home]);
	assert.equal(created.code, 0, created.stderr);
	const key = /\b(cxp_[A-Za-z0-9_-]{43})\b/.exec(created.stdout)?.[1];
	assert.ok(key, created.stdout);
	assert.match(created.stdout, /not shown again/);
	const file = fs
		.readdirSync(home)
		.map((name) => fs.readFileSync(path.join(home, name), 'utf8'))
		.join('\n');
	assert.equal(file.includes(key), false, 'the key itself is not stored');
	assert.equal(createPoolKeys(openStore(home)).verify(key)?.name, 'laptop');
});

test('keys list shows names and prefixes (table and json), never hashes', async (t) => {
	const home = tempHome(t);
	await runCommand(command, ['create', '--name', 'a', '--home', home]);
	await runCommand(command, ['create', '--home', home]);
	const listed = await runCommand(command, ['list', '--home', home]);
	assert.equal(listed.code, 0);
	assert.match(listed.stdout, /^ID\s+NAME\s+PREFIX\s+CREATED\s+LAST USED/);
	assert.match(listed.stdout, /\ba\s+cxp_\S{8}…/);
	assert.match(listed.stdout, /key-2/);
	assert.match(listed.stdout, /never/);
	const json = JSON.parse((await runCommand(command, ['list', '--json', '--home', home])).stdout) as Array<
		Record<string, unknown>
	>;
	assert.deepEqual(Object.keys(json[0]!).sort(), ['createdAt', 'id', 'lastUsedAt', 'name', 'prefix']);
	assert.equal(JSON.stringify(json).includes('hash'), false);
});

test('keys revoke by id or name; errors are usage errors with a way out', async (t) => {
	const home = tempHome(t);
	await runCommand(command, ['create', '--name', 'a', '--home', home]);
	await runCommand(command, ['create', '--name', 'b', '--home', home]);
	const [first] = openStore(home).getKeys();
	assert.equal((await runCommand(command, ['revoke', first!.id, '--home', home])).code, 0);
	const byName = await runCommand(command, ['revoke', 'b', '--home', home]);
	assert.match(byName.stdout, /Revoked pool key "b"/);
	assert.equal(openStore(home).getKeys().length, 0);
	const unknown = await runCommand(command, ['revoke', 'zzz', '--home', home]);
	assert.equal(unknown.code, 2);
	assert.match(unknown.stderr, /keys list/);
	assert.equal((await runCommand(command, ['revoke', '--home', home])).code, 2);
	assert.equal((await runCommand(command, ['frob', '--home', home])).code, 2);
	assert.equal((await runCommand(command, ['--home', home])).code, 2);
	await runCommand(command, ['create', '--name', 'c', '--home', home]);
	const duplicate = await runCommand(command, ['create', '--name', 'c', '--home', home]);
	assert.equal(duplicate.code, 2);
	assert.match(duplicate.stderr, /exists already/);
});

test('keys require on needs a key first, then makes every client present one; off undoes it', async (t) => {
	const home = tempHome(t);
	const refused = await runCommand(command, ['require', 'on', '--home', home]);
	assert.notEqual(refused.code, 0);
	assert.match(refused.stderr, /Create a key first/);
	assert.equal(openStore(home).getSettings().requireKey, false);

	await runCommand(command, ['create', '--home', home]);
	const on = await runCommand(command, ['require', 'on', '--home', home]);
	assert.equal(on.code, 0, on.stderr);
	assert.equal(openStore(home).getSettings().requireKey, true);
	assert.match((await runCommand(command, ['require', '--home', home])).stdout, /required from every client/);

	const bad = await runCommand(command, ['require', 'maybe', '--home', home]);
	assert.notEqual(bad.code, 0);
	assert.match(bad.stderr, /keys require \[on\|off]/);

	assert.equal((await runCommand(command, ['require', 'off', '--home', home])).code, 0);
	assert.equal(openStore(home).getSettings().requireKey, false);
});
