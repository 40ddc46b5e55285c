import assert from 'node:assert/strict';
import fs from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import {after, describe, it} from 'node:test';
import {makeHome, serveInProcess} from '../commands/serve-harness.ts';

// `codexpool serve` makes the home's CA on first start and serves HTTPS next to HTTP unless told not to.
describe('codexpool serve and HTTPS', async () => {
	const home = await makeHome(['alpha']);
	after(() => home.upstream.close());

	it('serves HTTPS by default (a free port with --port 0) and prints the matching codex-config flags', async () => {
		const daemon = await serveInProcess(home);
		try {
			const match = /and over HTTPS at (https:\/\/127\.0\.0\.1:(\d+))/.exec(daemon.output());
			assert.ok(match, daemon.output());
			assert.match(
				daemon.output(),
				new RegExp(`codexpool codex-config --write --port \\d+ --tls-port ${match[2]}\``),
			);
			const ca = fs.readFileSync(path.join(home.home, 'tls', 'ca.pem'));
			const status = await new Promise<number>((resolve, reject) => {
				https
					.get(`${match[1]}/backend-api/wham/accounts/check`, {ca, agent: false}, (response) => {
						response.resume();
						resolve(response.statusCode ?? 0);
					})
					.on('error', reject);
			});
			assert.equal(status, 200);
		} finally {
			assert.equal(await daemon.stop(), 0);
		}
	});

	it('--no-tls serves HTTP only and points to the custom provider', async () => {
		const daemon = await serveInProcess(home, ['--no-tls']);
		try {
			assert.doesNotMatch(daemon.output(), /HTTPS at/);
			assert.match(daemon.output(), /codexpool codex-config --write --port \d+ --provider custom`/);
		} finally {
			assert.equal(await daemon.stop(), 0);
		}
	});
});
