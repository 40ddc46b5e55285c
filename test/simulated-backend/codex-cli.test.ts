import assert from 'node:assert/strict';
import {spawn} from 'node:child_process';
import {existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {test} from 'node:test';
import {type SimulatedUpstream, startSimulatedUpstream} from '../../source/core/simulated-backend/index.ts';

/*
The real Codex CLI (0.171, from npm) against the simulated upstream directly, with a custom provider over
plain HTTP (codex-cli-observed.md §1 variant D). This checks the simulation against the client it imitates:
the models list is accepted, a turn completes, a usage limit is shown, an expiring token is refreshed.
*/
const CODEX = join(process.cwd(), 'node_modules/.bin/codex');

async function runCodex(upstream: SimulatedUpstream, account: string, prompt: string) {
	const home = mkdtempSync(join(tmpdir(), 'codexpool-sim-codex-'));
	writeFileSync(join(home, 'auth.json'), JSON.stringify(upstream.accounts.authJson(account)), {mode: 0o600});
	writeFileSync(
		join(home, 'config.toml'),
		[
			'model_provider = "pool"',
			`chatgpt_base_url = "${upstream.backendUrl}/"`,
			'check_for_update_on_startup = false',
			'[analytics]',
			'enabled = false',
			'[model_providers.pool]',
			'name = "pool"',
			`base_url = "${upstream.backendUrl}/codex"`,
			'wire_api = "responses"',
			'requires_openai_auth = true',
		].join('\n'),
	);
	// Its own process group, so a timeout can stop the npm wrapper and the native binary under it together.
	const child = spawn(CODEX, ['exec', '--skip-git-repo-check', prompt], {
		env: {...process.env, CODEX_HOME: home, CODEX_REFRESH_TOKEN_URL_OVERRIDE: upstream.tokenUrl},
		stdio: ['ignore', 'pipe', 'pipe'],
		detached: true,
	});
	let stdout = '';
	let stderr = '';
	child.stdout.on('data', (chunk: Buffer) => {
		stdout += chunk.toString();
	});
	child.stderr.on('data', (chunk: Buffer) => {
		stderr += chunk.toString();
	});
	const timer = setTimeout(() => {
		if (child.pid) {
			process.kill(-child.pid, 'SIGKILL');
		}
	}, 60_000);
	const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
	clearTimeout(timer);
	const authJson = JSON.parse(readFileSync(join(home, 'auth.json'), 'utf8')) as {
		tokens: {refresh_token: string};
	};
	rmSync(home, {recursive: true, force: true});
	return {code, stdout, stderr, authJson};
}

const modelRequests = (upstream: SimulatedUpstream) =>
	upstream.log.filter((entry) => entry.method === 'POST' && entry.path === '/backend-api/codex/responses');

test('Codex CLI accepts the models list and completes a turn', {skip: !existsSync(CODEX)}, async (t) => {
	const upstream = await startSimulatedUpstream({accounts: [{name: 'a'}]});
	t.after(() => upstream.close());
	const run = await runCodex(upstream, 'a', 'say hi');
	assert.equal(run.code, 0, run.stderr);
	assert.equal(run.stdout.trim(), 'Hello from a. You said: say hi');
	// Codex falls back to its bundled catalog (another default model) when one entry of the list is invalid.
	assert.equal((modelRequests(upstream)[0]?.body as {model?: string} | undefined)?.model, 'gpt-5.5');
	assert.doesNotMatch(run.stderr, /failed to refresh available models/);
});

test('Codex CLI shows when to come back on usage_limit_reached', {skip: !existsSync(CODEX)}, async (t) => {
	const upstream = await startSimulatedUpstream({accounts: [{name: 'a'}]});
	t.after(() => upstream.close());
	upstream.accounts.exhaust('a');
	const run = await runCodex(upstream, 'a', 'say hi');
	assert.equal(run.code, 1);
	assert.match(run.stderr, /hit your usage limit.*try again at/);
	assert.equal(modelRequests(upstream).length, 1, 'not retried');
});

test('Codex CLI refreshes an access token about to expire, once, and stores the rotated token', {
	skip: !existsSync(CODEX),
}, async (t) => {
	const upstream = await startSimulatedUpstream({accounts: [{name: 'a'}]});
	t.after(() => upstream.close());
	upstream.accounts.login('a', {accessTokenLifetimeMs: 60_000});
	const run = await runCodex(upstream, 'a', 'say hi');
	assert.equal(run.code, 0, run.stderr);
	const refreshes = upstream.log.filter((entry) => entry.path === '/oauth/token');
	assert.equal(refreshes.length, 1);
	assert.deepEqual(upstream.refreshTokens().reused, []);
	assert.equal(run.authJson.tokens.refresh_token, upstream.accounts.get('a').tokens.refreshToken);
});
