import assert from 'node:assert/strict';
import test from 'node:test';
import {type CodexExecResult, hasCodexCli, runCodexExec} from '../helpers/codex-cli.ts';
import {startRig} from '../helpers/rig.ts';

/*
The real Codex CLI 0.171 through the pool as `serve` runs it prints no ERROR line it would not print talking
to the same backend directly. It used to print two `rmcp ... HTTP 404 ... codexpool does not serve POST
/backend-api/ps/mcp` per `codex exec` (the pool now passes what it does not pool to the upstream), and the
WebSocket 426 (the pool now speaks the WebSocket mode). Compared with a direct run, so the simulated backend's
own answers (it has no MCP service) are not blamed on the pool.
*/
const skip = hasCodexCli() ? false : 'the Codex CLI is not installed (npm install)';

/** Codex's ERROR lines, without their timestamps. */
const errorLines = (run: CodexExecResult) =>
	run.stderr
		.split('\n')
		.filter((line) => /\bERROR\b/.test(line))
		.map((line) => line.replace(/^\S*\d{4}-\d\d-\d\dT[\d:.]+Z\s*/, ''))
		.sort();

for (const websockets of [false, true]) {
	test(`codex exec over ${websockets ? 'WebSocket' : 'HTTP'}: no ERROR line the backend alone would not cause`, {
		skip,
	}, async (t) => {
		const rig = await startRig({accounts: ['a']});
		t.after(() => rig.close());
		const run = (baseUrl: string) =>
			runCodexExec({
				baseUrl,
				authJson: rig.upstream.accounts.authJson('a'),
				prompt: 'hello',
				websockets,
				tokenUrl: rig.upstream.tokenUrl,
				timeoutMs: 60_000,
			});
		const direct = await run(rig.upstream.backendUrl);
		const pooled = await run(`${rig.url}/backend-api`);
		assert.equal(direct.code, 0, direct.stderr.slice(-1500));
		assert.equal(pooled.code, 0, pooled.stderr.slice(-1500));
		assert.deepEqual(errorLines(pooled), errorLines(direct));
		// A 426 as Codex would show it, not the digits anywhere (a random session id can hold them).
		assert.doesNotMatch(pooled.stderr, /codexpool does not serve|426 Upgrade Required|"status":\s*426/i);
		assert.ok(
			rig.events.request.some((entry) => entry.status === 200),
			'the turn went through the pool',
		);
	});
}
