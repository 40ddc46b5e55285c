import assert from 'node:assert/strict';
import fs from 'node:fs';
import https from 'node:https';
import {describe, it} from 'node:test';
import {startDaemon} from '../../source/core/control/daemon.ts';
import {startEmbeddedCore} from '../../source/core/core.ts';
import {openStore} from '../../source/core/store/store.ts';
import {ensureLocalCertificates} from '../../source/core/tls/local-ca.ts';
import {tempDir} from '../store/fixtures.ts';

function get(url: string, ca: string | undefined): Promise<{status: number; body: string}> {
	return new Promise((resolve, reject) => {
		const request = https.get(url, {ca, agent: false}, (response) => {
			let body = '';
			response.setEncoding('utf8');
			response.on('data', (chunk: string) => {
				body += chunk;
			});
			response.on('end', () => resolve({status: response.statusCode ?? 0, body}));
		});
		request.on('error', reject);
	});
}

describe('the core over HTTPS', () => {
	it('serves the same routes on 127.0.0.1 with a certificate from the local CA, and closes with the core', async () => {
		const home = tempDir();
		const certificates = ensureLocalCertificates(home);
		const ca = fs.readFileSync(certificates.caPath, 'utf8');
		const core = await startEmbeddedCore({
			store: openStore(home),
			upstream: 'http://127.0.0.1:9/backend-api',
			port: 0,
			watchStore: false,
			tls: {...certificates, port: 0},
		});
		let stopped = false;
		try {
			assert.match(core.tlsUrl ?? '', /^https:\/\/127\.0\.0\.1:\d+$/);
			const check = await get(`${core.tlsUrl}/backend-api/wham/accounts/check`, ca);
			assert.equal(check.status, 200);
			assert.equal(JSON.parse(check.body).accounts[0].workspace_backend_origin, 'NO_CONSTRAINT');
			// A path the pool does not pool is passed on as sent (here to an upstream that is not there: a 502 says so).
			const plugins = await get(`${core.tlsUrl}/backend-api/ps/plugins/installed`, ca);
			assert.equal(plugins.status, 502);
			assert.match(plugins.body, /could not pass GET \/backend-api\/ps\/plugins\/installed to ChatGPT/);
			assert.equal((await fetch(`${core.url}/healthz`)).status, 200);
			// A client that does not trust the CA is refused, and the listener goes on.
			await assert.rejects(
				get(`${core.tlsUrl}/healthz`, undefined),
				/self-signed|unable to verify|certificate/i,
			);
			assert.equal((await get(`${core.tlsUrl}/healthz`, ca)).status, 200);
			await core.stop();
			stopped = true;
			await assert.rejects(get(`${core.tlsUrl}/healthz`, ca), /ECONNREFUSED/);
		} finally {
			if (!stopped) {
				await core.stop();
			}
		}

		const plain = await startEmbeddedCore({store: openStore(tempDir()), port: 0, watchStore: false});
		assert.equal(plain.tlsUrl, undefined);
		await plain.stop();
	});

	it('the daemon names the HTTPS port when it is taken, and what to do', async () => {
		const home = tempDir();
		const certificates = ensureLocalCertificates(home);
		const blocker = https.createServer({key: certificates.key, cert: certificates.cert});
		await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
		const {port} = blocker.address() as import('node:net').AddressInfo;
		try {
			await assert.rejects(
				startDaemon({home, store: openStore(home), host: '127.0.0.1', port: 0, tls: {...certificates, port}}),
				new RegExp(`HTTPS port ${port} on 127\\.0\\.0\\.1 is already in use.*--tls-port.*--no-tls`, 's'),
			);
		} finally {
			blocker.close();
		}
	});
});
