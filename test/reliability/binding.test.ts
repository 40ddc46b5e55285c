import assert from 'node:assert/strict';
import {spawnSync} from 'node:child_process';
import {mkdtempSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {after, before, test} from 'node:test';
import {fileURLToPath} from 'node:url';
import {request} from 'undici';
import {startEmbeddedCore} from '../../source/core/core.ts';
import {importSimulatedAccounts} from '../../source/core/demo/seed-home.ts';
import {createPoolKeys} from '../../source/core/keys/pool-keys.ts';
import {type SimulatedUpstream, startSimulatedUpstream} from '../../source/core/simulated-backend/index.ts';
import {openStore, type Store} from '../../source/core/store/store.ts';

let upstream: SimulatedUpstream;
let home: string;
let store: Store;

before(async () => {
	upstream = await startSimulatedUpstream({accounts: [{name: 'alpha'}]});
	home = mkdtempSync(path.join(tmpdir(), 'codexpool-binding-'));
	store = openStore(home);
	importSimulatedAccounts(store, upstream, Date.now());
	store.setSettings({scheduler: {...store.getSettings().scheduler, enabled: false}});
});

after(async () => {
	await upstream.close();
	rmSync(home, {recursive: true, force: true});
});

const start = (host: string) =>
	startEmbeddedCore({
		store,
		upstream: upstream.backendUrl,
		issuer: upstream.issuerUrl,
		host,
		port: 0,
		watchStore: false,
	});

test('binding beyond loopback refuses to start unless pool keys are required and one exists', async () => {
	// The refusal comes before anything listens, so these never bind.
	for (const host of ['0.0.0.0', '::', '192.168.1.10']) {
		await assert.rejects(start(host), /Refusing to listen on .*pool key.*codexpool keys create/s);
	}

	store.setSettings({requireKey: true});
	await assert.rejects(start('0.0.0.0'), /Refusing to listen on 0\.0\.0\.0/, 'requireKey without a key');
	store.setSettings({requireKey: false});
	createPoolKeys(store).create('lan');
	await assert.rejects(start('0.0.0.0'), /Refusing to listen/, 'a key that is not required');
});

test('with requireKey and a key every client path wants the key', async () => {
	const {key} = createPoolKeys(store).create('binding');
	store.setSettings({requireKey: true});
	// A test cannot leave loopback; with requireKey on, a loopback pool asks every client for the key alike.
	const core = await start('127.0.0.2');
	try {
		const body = JSON.stringify({
			model: 'gpt-5.5',
			stream: true,
			store: false,
			input: [{type: 'message', role: 'user', content: [{type: 'input_text', text: 'hi'}]}],
		});
		for (const path of ['/backend-api/codex/responses', '/v1/responses']) {
			const refused = await request(core.url + path, {
				method: 'POST',
				headers: {'content-type': 'application/json'},
				body,
			});
			assert.equal(refused.statusCode, 401);
			assert.match(((await refused.body.json()) as {error: {message: string}}).error.message, /key/);
		}

		const served = await request(`${core.url}/backend-api/codex/responses`, {
			method: 'POST',
			headers: {'content-type': 'application/json', authorization: `Bearer ${key}`},
			body,
		});
		assert.equal(served.statusCode, 200);
		assert.match(await served.body.text(), /response\.completed/);
	} finally {
		await core.stop();
		store.setSettings({requireKey: false});
	}
});

test('`codexpool serve --host 0.0.0.0` without keys says why it refuses and exits 1', () => {
	// --port 0 skips the port probe, so nothing binds before the refusal.
	const bin = fileURLToPath(new URL('../../bin/codexpool.js', import.meta.url));
	const result = spawnSync(
		process.execPath,
		[bin, 'serve', '--host', '0.0.0.0', '--port', '0', '--home', home],
		{
			env: {
				...process.env,
				CODEXPOOL_UPSTREAM: upstream.backendUrl,
				CODEXPOOL_AUTH_ISSUER: upstream.issuerUrl,
			},
			encoding: 'utf8',
			timeout: 30_000,
		},
	);
	assert.equal(result.status, 1, result.stdout + result.stderr);
	assert.match(
		result.stderr,
		/Refusing to listen on 0\.0\.0\.0: beyond loopback, every client must present a pool key/,
	);
	assert.match(result.stderr, /codexpool keys create/);
});
