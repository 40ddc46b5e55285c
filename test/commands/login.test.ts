import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {afterEach, beforeEach, describe, it} from 'node:test';
import {createLoginCommand} from '../../source/commands/login.ts';
import {command as logout} from '../../source/commands/logout.ts';
import {TokenManager} from '../../source/core/auth/token-manager.ts';
import {type SimulatedUpstream, startSimulatedUpstream} from '../../source/core/simulated-backend/index.ts';
import {openStore} from '../../source/core/store/store.ts';
import {tempDir} from '../store/fixtures.ts';
import {runCommand} from './run.ts';

let upstream: SimulatedUpstream;
let home: string;
let env: NodeJS.ProcessEnv;

/** A browser that follows the authorize URL: the simulated issuer redirects straight to the callback. */
const login = createLoginCommand({ports: [0], openBrowser: (url) => fetch(url), timeoutMs: 10_000});

beforeEach(async () => {
	upstream = await startSimulatedUpstream();
	upstream.accounts.add({name: 'alice', email: 'alice@example.test', plan: 'pro'});
	upstream.accounts.add({name: 'bob', email: 'bob@example.test'});
	home = path.join(tempDir(), 'home');
	env = {CODEXPOOL_AUTH_ISSUER: upstream.issuerUrl};
});

afterEach(async () => {
	await upstream.close();
});

describe('codexpool login (against the simulated issuer)', () => {
	it('logs in with the browser flow, names the account by its email, and the tokens work', async () => {
		const result = await runCommand(login, ['--home', home], env);
		assert.equal(result.code, 0, result.stderr);
		assert.match(
			result.stdout,
			/Open this URL in a browser and log in:\n\n {2}http:\/\/127\.0\.0\.1:\d+\/oauth\/authorize\?/,
		);
		assert.match(result.stdout, /Logged in: added alice@example\.test, plan pro\./);
		const store = openStore(home);
		const [account] = store.listAccounts();
		assert.equal(account?.id, upstream.accounts.get('alice').accountId);
		assert.equal(account?.tokens.refreshToken, upstream.accounts.get('alice').tokens.refreshToken);
		assert.equal(fs.statSync(store.path).mode & 0o777, 0o600);
		// The saved refresh token is accepted by the issuer.
		const manager = new TokenManager({store, issuer: upstream.issuerUrl});
		const fresh = await manager.refreshAfter401(account!.id, account!.tokens.accessToken);
		assert.notEqual(fresh, account?.tokens.accessToken);
		assert.deepEqual(upstream.refreshTokens().reused, []);
		const printed = result.stdout + result.stderr;
		for (const secret of [
			account!.tokens.accessToken,
			account!.tokens.refreshToken,
			account!.tokens.idToken,
			fresh,
		]) {
			assert.ok(!printed.includes(secret), 'a token was printed');
		}
	});

	it('logs in with --device and --name; a second login of the same account replaces its tokens', async () => {
		upstream.accounts.setLoginAccount('bob');
		const first = await runCommand(login, ['--device', '--name', 'work', '--home', home], env);
		assert.equal(first.code, 0, first.stderr);
		assert.match(
			first.stdout,
			/Open http:\/\/127\.0\.0\.1:\d+\/codex\/device in any browser and enter this code:\n\n {2}[A-Z0-9]{4}-[A-Z0-9]{4}/,
		);
		assert.match(first.stdout, /Logged in: added work \(bob@example\.test\), plan plus\./);
		const store = openStore(home);
		store.setNeedsLogin(upstream.accounts.get('bob').accountId, {
			code: 'refresh_token_reused',
			message: 'x',
			at: 1,
		});
		const again = await runCommand(login, ['--home', home], env);
		assert.equal(again.code, 0, again.stderr);
		assert.match(
			again.stdout,
			/Logged in again: work \(bob@example\.test\) was already saved; its tokens were replaced\./,
		);
		const accounts = openStore(home).listAccounts();
		assert.equal(accounts.length, 1);
		assert.equal(accounts[0]?.needsLogin, undefined);
		assert.equal(accounts[0]?.tokens.refreshToken, upstream.accounts.get('bob').tokens.refreshToken);
	});

	it('saves under another name when --name is taken by another account, and says so', async () => {
		await runCommand(login, ['--home', home, '--name', 'main'], env);
		upstream.accounts.setLoginAccount('bob');
		const result = await runCommand(login, ['--home', home, '--name', 'main'], env);
		assert.equal(result.code, 0, result.stderr);
		assert.match(
			result.stdout,
			/The name "main" is used by another account; this one is saved as "main-2"\./,
		);
		assert.deepEqual(
			openStore(home)
				.listAccounts()
				.map((account) => account.name),
			['main', 'main-2'],
		);
	});

	it('rejects bad arguments with exit 2', async () => {
		for (const argv of [['extra'], ['--name', ''], ['--bogus']]) {
			const result = await runCommand(login, [...argv, '--home', home], env);
			assert.equal(result.code, 2, argv.join(' '));
			assert.match(result.stderr, /codexpool: /);
		}
	});

	it('fails with a clear message when the issuer cannot be reached', async () => {
		const closed = upstream.issuerUrl;
		await upstream.close();
		const result = await runCommand(login, ['--device', '--home', home], {CODEXPOOL_AUTH_ISSUER: closed});
		assert.equal(result.code, 1);
		assert.match(result.stderr, /cannot reach http:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\)/);
		upstream = await startSimulatedUpstream();
	});
});

describe('codexpool logout', () => {
	it('removes the account and revokes its refresh token', async () => {
		await runCommand(login, ['--home', home, '--name', 'alice'], env);
		const saved = openStore(home).listAccounts()[0]!;
		const result = await runCommand(logout, ['ali', '--home', home], env);
		assert.equal(result.code, 0, result.stderr);
		assert.match(
			result.stdout,
			/Removed alice \(alice@example\.test\) from the pool\. Its refresh token was revoked\./,
		);
		assert.deepEqual(openStore(home).listAccounts(), []);
		// The revoked token no longer refreshes.
		const response = await fetch(upstream.tokenUrl, {
			method: 'POST',
			headers: {'content-type': 'application/json'},
			body: JSON.stringify({
				client_id: 'app_EMoamEEZ73f0CkXaXp7hrann',
				grant_type: 'refresh_token',
				refresh_token: saved.tokens.refreshToken,
			}),
		});
		assert.equal(response.status, 401);
	});

	it('keeps the token with --no-revoke, and explains unknown names', async () => {
		await runCommand(login, ['--home', home], env);
		const unknown = await runCommand(logout, ['zed', '--home', home], env);
		assert.equal(unknown.code, 2);
		assert.match(unknown.stderr, /No account matches "zed"\. Accounts: alice@example\.test\./);
		assert.equal((await runCommand(logout, ['--home', home], env)).code, 2);
		const kept = await runCommand(logout, ['alice', '--no-revoke', '--home', home], env);
		assert.equal(kept.code, 0);
		assert.match(kept.stdout, /were not revoked \(--no-revoke\)/);
		assert.equal(upstream.log.filter((entry) => entry.path === '/oauth/revoke').length, 0);
	});
});
