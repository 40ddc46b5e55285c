import assert from 'node:assert/strict';
import {execFile} from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {test} from 'node:test';
import {fileURLToPath} from 'node:url';
import {mergeCodexConfig} from '../../source/commands/codex-config.ts';
import {startSimulatedUpstream} from '../../source/core/simulated-backend/index.ts';
import {tempDir} from '../store/fixtures.ts';

// What `codex-config` says about `codex resume`, checked with the real Codex CLI 0.171 against the simulated
// backend. The built-in "openai" provider needs HTTPS (codex-cli-observed.md §1 B), so a custom provider
// named "before" stands in for the user's provider before the switch: Codex treats any provider id alike.
const codexBin = fileURLToPath(new URL('../../node_modules/.bin/codex', import.meta.url));
const skip = fs.existsSync(codexBin) ? false : 'the Codex CLI is not installed (npm install)';

test('after codex-config, old sessions resume only with their own provider; pooled ones resume', {
	skip,
}, async (t) => {
	const upstream = await startSimulatedUpstream();
	t.after(() => upstream.close());
	upstream.accounts.add({name: 'a'});
	const home = tempDir();
	fs.writeFileSync(path.join(home, 'auth.json'), JSON.stringify(upstream.accounts.authJson('a')), {
		mode: 0o600,
	});
	const before = [
		'model_provider = "before"',
		`chatgpt_base_url = "${upstream.url}/backend-api/"`,
		'check_for_update_on_startup = false',
		'[analytics]',
		'enabled = false',
		'[model_providers.before]',
		'name = "before"',
		`base_url = "${upstream.url}/backend-api/codex"`,
		'wire_api = "responses"',
		'requires_openai_auth = true',
		'',
	].join('\n');
	fs.writeFileSync(path.join(home, 'config.toml'), before);
	const codex = (args: string[]) =>
		new Promise<{code: number | null; stdout: string; stderr: string; session: string | undefined}>(
			(resolve) => {
				const child = execFile(
					codexBin,
					['exec', '--skip-git-repo-check', ...args],
					{cwd: home, encoding: 'utf8', timeout: 30_000, env: {...process.env, CODEX_HOME: home}},
					(_error, stdout, stderr) =>
						resolve({
							code: child.exitCode,
							stdout,
							stderr,
							session: /session id: ([0-9a-f-]+)/.exec(stderr)?.[1],
						}),
				);
				child.stdin?.end();
			},
		);

	const old = await codex(['turn one']);
	assert.equal(old.code, 0, old.stderr.slice(-500));
	assert.ok(old.session);
	// Switch to the pool's config (pointing straight at the simulated backend's port).
	const port = Number(new URL(upstream.url).port);
	fs.writeFileSync(path.join(home, 'config.toml'), mergeCodexConfig(before, port));

	const byId = await codex(['resume', old.session, 'turn two']);
	assert.equal(byId.code, 1);
	assert.match(
		byId.stderr,
		/Cannot change this thread's model provider from `before` to `codexpool` on resume/,
	);
	const withOwnProvider = await codex(['resume', '-c', 'model_provider=before', old.session, 'turn three']);
	assert.equal(withOwnProvider.code, 0, withOwnProvider.stderr.slice(-500));
	assert.equal(withOwnProvider.session, old.session);

	// --last does not see the old session: it starts a new one (through the pool).
	const pooled = await codex(['resume', '--last', 'turn four']);
	assert.equal(pooled.code, 0, pooled.stderr.slice(-500));
	assert.ok(pooled.session);
	assert.notEqual(pooled.session, old.session);
	const resumed = await codex(['resume', pooled.session!, 'turn five']);
	assert.equal(resumed.code, 0, resumed.stderr.slice(-500));
	assert.equal(resumed.session, pooled.session);
	const last = await codex(['resume', '--last', 'turn six']);
	assert.equal(last.session, pooled.session);
});
