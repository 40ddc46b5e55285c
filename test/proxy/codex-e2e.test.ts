import assert from 'node:assert/strict';
import {execFile} from 'node:child_process';
import {existsSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import test from 'node:test';
import {fileURLToPath} from 'node:url';
import {type Rig, startRig} from '../helpers/rig.ts';
import {postTurn, turnBody} from './harness.ts';

// The real Codex CLI (@openai/codex 0.171.0) through the proxy, against the simulated upstream.
const codexBin = fileURLToPath(new URL('../../node_modules/.bin/codex', import.meta.url));
const skip = existsSync(codexBin) ? false : 'the Codex CLI is not installed (npm install)';

type Run = {code: number | null; stdout: string; stderr: string};

/** A CODEX_HOME with config variant D (`codex-cli-observed.md` §1) pointing at the proxy, and a Codex auth.json. */
function codexHome(t: import('node:test').TestContext, h: Rig): string {
	const home = mkdtempSync(join(tmpdir(), 'codexpool-e2e-'));
	t.after(() => rmSync(home, {recursive: true, force: true}));
	writeFileSync(
		join(home, 'config.toml'),
		[
			'model_provider = "pool"',
			`chatgpt_base_url = "${h.url}/backend-api/"`,
			'check_for_update_on_startup = false',
			'[model_providers.pool]',
			'name = "pool"',
			`base_url = "${h.url}/backend-api/codex"`,
			'wire_api = "responses"',
			'requires_openai_auth = true',
			'[analytics]',
			'enabled = false',
			'',
		].join('\n'),
	);
	// The client's own login: the proxy never forwards it.
	writeFileSync(join(home, 'auth.json'), JSON.stringify(h.upstream.accounts.authJson('a')), {mode: 0o600});
	return home;
}

/** Runs `codex exec ...args` asynchronously (the proxy lives in this process, so the event loop must stay free). */
function codex(h: Rig, home: string, args: readonly string[]): Promise<Run> {
	return new Promise((resolve) => {
		const child = execFile(
			codexBin,
			['exec', '--skip-git-repo-check', ...args],
			{
				cwd: home,
				encoding: 'utf8',
				timeout: 20_000,
				env: {...process.env, CODEX_HOME: home, CODEX_REFRESH_TOKEN_URL_OVERRIDE: h.upstream.tokenUrl},
			},
			(_error, stdout, stderr) => resolve({code: child.exitCode, stdout, stderr}),
		);
		child.stdin?.end();
	});
}

const nameOf = (h: Rig, accountId: string | undefined) =>
	h.upstream.accounts.list().find((account) => account.accountId === accountId)?.name;

test('codex exec: a plain turn through the pool', {skip}, async (t) => {
	const h = await startRig({accounts: ['a', 'b']});
	t.after(() => h.close());
	const run = await codex(h, codexHome(t, h), ['say hi']);
	assert.equal(run.code, 0, run.stderr.slice(-800));
	assert.match(run.stdout, /Hello from [ab]\. You said: say hi/);
	assert.equal(h.events.request.length, 1);
});

test('codex exec: with account a exhausted, b answers and the user sees nothing', {skip}, async (t) => {
	const h = await startRig({accounts: ['a', 'b']});
	t.after(() => h.close());
	h.upstream.accounts.exhaust('a');
	// a would be tried first (never picked, and b marked as just picked).
	h.pool.markPicked(h.id('b'));
	const run = await codex(h, codexHome(t, h), ['say hi']);
	assert.equal(run.code, 0, run.stderr.slice(-800));
	assert.match(run.stdout, /Hello from b\./);
	assert.doesNotMatch(run.stderr, /usage limit|Reconnecting/i);
	// The pool may learn of a's limit before the turn (any answer's usage headers, e.g. the model list Codex
	// fetches first, say 100%) and never try it, or try it and fail over: either way b answers every turn.
	const turns = h.events.request.filter((entry) => entry.path === '/codex/responses');
	assert.ok(turns.length > 0);
	assert.ok(turns.every((entry) => entry.accountId === h.id('b') && entry.status === 200));
	assert.ok(turns.every((entry) => entry.failedOver.every((id) => id === h.id('a'))));
});

test('codex exec resume: a session whose account runs out continues on another account', {
	skip,
}, async (t) => {
	const h = await startRig({accounts: ['a', 'b']});
	t.after(() => h.close());
	const home = codexHome(t, h);
	const first = await codex(h, home, ['turn one']);
	assert.equal(first.code, 0, first.stderr.slice(-800));
	const home1 = h.events.request[0]?.accountId;
	h.upstream.accounts.exhaust(nameOf(h, home1)!);

	const second = await codex(h, home, ['resume', '--last', 'turn two']);
	assert.equal(second.code, 0, second.stderr.slice(-800));
	assert.match(second.stdout, /You said: turn two/);
	assert.doesNotMatch(second.stderr, /invalid_encrypted_content/);
	const last = h.events.request.at(-1)!;
	assert.notEqual(last.accountId, home1);
	assert.equal(last.sessionId, h.events.request[0]?.sessionId, 'the same Codex session');
	assert.equal(h.events.move.length, 1);
	assert.match(h.events.move[0]?.reason ?? '', /usage limit; 1 encrypted reasoning item\(s\) removed/);
	// What reached the new account: the history without the old account's reasoning.
	const forwarded = h.upstream.log
		.filter((entry) => entry.path.startsWith('/backend-api/codex/responses'))
		.at(-1);
	const input = (forwarded!.body as {input: {type: string}[]}).input;
	assert.ok(input.some((item) => item.type === 'message'));
	assert.equal(input.filter((item) => item.type === 'reasoning').length, 0);
});

test('an expired access token is refreshed once, with codex and 20 concurrent requests', {
	skip,
}, async (t) => {
	const h = await startRig({accounts: ['a']});
	t.after(() => h.close());
	h.upstream.accounts.expireAccessTokens('a');
	const [run, ...others] = await Promise.all([
		codex(h, codexHome(t, h), ['say hi']),
		...Array.from({length: 20}, (_, index) => postTurn(h.url, turnBody(`hi ${index}`))),
	]);
	assert.equal(run?.code, 0, run?.stderr.slice(-800));
	assert.deepEqual(
		others.map((other) => (other as {status: number}).status),
		Array.from({length: 20}, () => 200),
	);
	assert.equal(h.refreshes(), 1);
	assert.deepEqual(h.upstream.refreshTokens().reused, []);
});

test('codex exec: every account exhausted, codex tells when to come back', {skip}, async (t) => {
	const h = await startRig({accounts: ['a', 'b']});
	t.after(() => h.close());
	h.upstream.accounts.exhaust('a');
	h.upstream.accounts.exhaust('b');
	const run = await codex(h, codexHome(t, h), ['say hi']);
	assert.equal(run.code, 1);
	assert.match(run.stderr, /usage limit/i);
	assert.match(run.stderr, /try again at/i);
	assert.equal(h.events.request.at(-1)?.status, 429);
});
