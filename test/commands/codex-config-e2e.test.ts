import assert from 'node:assert/strict';
import {execFile} from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {test} from 'node:test';
import {fileURLToPath} from 'node:url';
import {command as codexConfig} from '../../source/commands/codex-config.ts';
import {createLoginCommand} from '../../source/commands/login.ts';
import {startEmbeddedCore} from '../../source/core/core.ts';
import {createPoolKeys} from '../../source/core/keys/pool-keys.ts';
import {startSimulatedUpstream} from '../../source/core/simulated-backend/index.ts';
import {openStore} from '../../source/core/store/store.ts';
import {tempDir} from '../store/fixtures.ts';
import {runCommand} from './run.ts';

// The readme's three steps with the real Codex CLI 0.171: log in to the pool's accounts, serve, write the
// Codex config with codex-config; then `codex exec` is answered through the pool by a pooled account.
const codexBin = fileURLToPath(new URL('../../node_modules/.bin/codex', import.meta.url));
const skip = fs.existsSync(codexBin) ? false : 'the Codex CLI is not installed (npm install)';

test('login, serve, codex-config --write --provider custom: codex exec works through the pool', {
	skip,
}, async (t) => {
	const upstream = await startSimulatedUpstream({accounts: [{name: 'a'}, {name: 'b'}]});
	t.after(() => upstream.close());
	const home = tempDir();
	const env = {CODEXPOOL_AUTH_ISSUER: upstream.issuerUrl};

	// 1. Two accounts in the pool, each a login of its own.
	const login = createLoginCommand({ports: [0], openBrowser: (url) => fetch(url)});
	assert.equal((await runCommand(login, ['--home', home], env)).code, 0);
	upstream.accounts.setLoginAccount('b');
	assert.equal((await runCommand(login, ['--home', home, '--device'], env)).code, 0);

	// 2. Serve.
	const core = await startEmbeddedCore({
		store: openStore(home),
		upstream: upstream.backendUrl,
		issuer: upstream.issuerUrl,
		port: 0,
		watchStore: false,
	});
	t.after(() => core.stop());
	const port = new URL(core.url).port;

	// 3. Point Codex at it, keeping the user's own settings.
	const codexHome = tempDir();
	fs.writeFileSync(
		path.join(codexHome, 'config.toml'),
		'check_for_update_on_startup = false\n\n[analytics]\nenabled = false\n',
	);
	// Variant D (a custom provider over plain HTTP); variant A is codex-config-builtin.test.ts.
	const written = await runCommand(codexConfig, ['--write', '--provider', 'custom', '--port', port], {
		CODEX_HOME: codexHome,
	});
	assert.equal(written.code, 0, written.stderr);
	assert.match(
		fs.readFileSync(path.join(codexHome, 'config.toml'), 'utf8'),
		/^model_provider = "codexpool"$/m,
	);
	// Codex keeps a login of its own (here a separate login of account a): the pool never uses it.
	const own = upstream.accounts.login('a');
	fs.writeFileSync(
		path.join(codexHome, 'auth.json'),
		JSON.stringify({
			auth_mode: 'chatgpt',
			OPENAI_API_KEY: null,
			tokens: {
				id_token: own.idToken,
				access_token: own.accessToken,
				refresh_token: own.refreshToken,
				account_id: upstream.accounts.get('a').accountId,
			},
			last_refresh: new Date().toISOString(),
		}),
		{mode: 0o600},
	);

	upstream.clearLog();
	const run = await new Promise<{code: number | null; stdout: string; stderr: string}>((resolve) => {
		const child = execFile(
			codexBin,
			['exec', '--skip-git-repo-check', 'say hi'],
			{
				cwd: codexHome,
				encoding: 'utf8',
				timeout: 30_000,
				env: {...process.env, CODEX_HOME: codexHome, CODEX_REFRESH_TOKEN_URL_OVERRIDE: upstream.tokenUrl},
			},
			(_error, stdout, stderr) => resolve({code: child.exitCode, stdout, stderr}),
		);
		child.stdin?.end();
	});
	assert.equal(run.code, 0, run.stderr.slice(-800));
	assert.match(run.stdout, /Hello from [ab]\. You said: say hi/);
	const turns = upstream.log.filter((entry) => entry.path.startsWith('/backend-api/codex/responses'));
	// The turn (and any scheduler kick) went upstream with a pooled account's token, never Codex's own.
	assert.ok(turns.length >= 1);
	for (const entry of turns) {
		assert.notEqual(entry.headers.authorization, `Bearer ${own.accessToken}`);
	}
});

test('codex-config --key-env: with keys required, Codex reaches the pool with a pool key and no login of its own', {
	skip,
}, async (t) => {
	const upstream = await startSimulatedUpstream({accounts: [{name: 'a'}]});
	t.after(() => upstream.close());
	const home = tempDir();
	const login = createLoginCommand({ports: [0], openBrowser: (url) => fetch(url)});
	assert.equal(
		(await runCommand(login, ['--home', home], {CODEXPOOL_AUTH_ISSUER: upstream.issuerUrl})).code,
		0,
	);
	const store = openStore(home);
	store.setSettings({requireKey: true});
	const {key} = createPoolKeys(store).create('codex');
	const core = await startEmbeddedCore({
		store,
		upstream: upstream.backendUrl,
		issuer: upstream.issuerUrl,
		port: 0,
		watchStore: false,
	});
	t.after(() => core.stop());
	const codexHome = tempDir();
	fs.writeFileSync(
		path.join(codexHome, 'config.toml'),
		'check_for_update_on_startup = false\n\n[analytics]\nenabled = false\n',
	);
	const port = new URL(core.url).port;
	const written = await runCommand(codexConfig, ['--write', '--port', port, '--key-env', 'CODEXPOOL_KEY'], {
		CODEX_HOME: codexHome,
	});
	assert.equal(written.code, 0, written.stderr);
	const run = (env: NodeJS.ProcessEnv) =>
		new Promise<{code: number | null; stdout: string; stderr: string}>((resolve) => {
			const child = execFile(
				codexBin,
				['exec', '--skip-git-repo-check', 'say hi'],
				{
					cwd: codexHome,
					encoding: 'utf8',
					timeout: 30_000,
					env: {...process.env, CODEX_HOME: codexHome, ...env},
				},
				(_error, stdout, stderr) => resolve({code: child.exitCode, stdout, stderr}),
			);
			child.stdin?.end();
		});
	const ok = await run({CODEXPOOL_KEY: key});
	assert.equal(ok.code, 0, ok.stderr.slice(-800));
	assert.match(ok.stdout, /Hello from a\. You said: say hi/);
	assert.ok(!fs.existsSync(path.join(codexHome, 'auth.json')));
	// A wrong key is refused by the pool.
	const refused = await run({CODEXPOOL_KEY: 'cxp_wrong'});
	assert.notEqual(refused.code, 0);
});
