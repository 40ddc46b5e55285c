import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import {describe, it} from 'node:test';
import {CA_NAME, ensureLocalCertificates, TlsUnavailableError} from '../../source/core/tls/local-ca.ts';
import {tempDir} from '../store/fixtures.ts';

const mode = (file: string) => fs.statSync(file).mode & 0o777;
const read = (home: string, name: string) => fs.readFileSync(path.join(home, 'tls', name), 'utf8');
const day = 24 * 3600 * 1000;

describe('the local CA', () => {
	it('is made once: a private folder, 0600 keys, a name-constrained CA and a loopback server certificate', () => {
		const home = tempDir();
		const made = ensureLocalCertificates(home);
		assert.equal(made.created, 'ca-and-server');
		assert.equal(made.caPath, path.join(home, 'tls', 'ca.pem'));
		assert.equal(mode(path.join(home, 'tls')), 0o700);
		assert.equal(mode(path.join(home, 'tls', 'ca-key.pem')), 0o600);
		assert.equal(mode(path.join(home, 'tls', 'server-key.pem')), 0o600);
		assert.equal(mode(path.join(home, 'tls', 'ca.pem')), 0o644);

		const ca = new crypto.X509Certificate(read(home, 'ca.pem'));
		const server = new crypto.X509Certificate(made.cert);
		assert.ok(ca.ca);
		assert.match(ca.subject, new RegExp(`CN=${CA_NAME}`));
		assert.ok(!server.ca);
		assert.ok(server.verify(ca.publicKey));
		assert.ok(server.checkPrivateKey(crypto.createPrivateKey(made.key)));
		assert.equal(server.checkIP('127.0.0.1'), '127.0.0.1');
		assert.equal(server.checkHost('localhost'), 'localhost');
		assert.equal(server.checkIP('10.0.0.5'), undefined);
		assert.equal(server.checkHost('chatgpt.com'), undefined);
		assert.match(server.keyUsage?.join(' ') ?? '', /1\.3\.6\.1\.5\.5\.7\.3\.1/); // serverAuth

		const again = ensureLocalCertificates(home);
		assert.equal(again.created, 'nothing');
		assert.equal(again.cert, made.cert);
		assert.equal(again.key, made.key);
	});

	it('reissues a server certificate near its end with the same CA, and remakes a damaged CA', () => {
		const home = tempDir();
		const made = ensureLocalCertificates(home);
		const ca = read(home, 'ca.pem');
		const later = ensureLocalCertificates(home, {now: new Date(Date.now() + 800 * day)});
		assert.equal(later.created, 'server');
		assert.notEqual(later.cert, made.cert);
		assert.equal(read(home, 'ca.pem'), ca, 'Codex keeps trusting the same CA');

		fs.writeFileSync(path.join(home, 'tls', 'ca.pem'), 'damaged');
		const remade = ensureLocalCertificates(home);
		assert.equal(remade.created, 'ca-and-server');
		const server = new crypto.X509Certificate(remade.cert);
		assert.ok(server.verify(new crypto.X509Certificate(read(home, 'ca.pem')).publicKey));

		// A server key that does not match its certificate is replaced too.
		fs.writeFileSync(
			path.join(home, 'tls', 'server-key.pem'),
			crypto
				.generateKeyPairSync('ec', {namedCurve: 'P-256'})
				.privateKey.export({type: 'pkcs8', format: 'pem'}),
		);
		assert.equal(ensureLocalCertificates(home).created, 'server');
	});

	it('says clearly when openssl is missing', () => {
		const home = tempDir();
		assert.throws(
			() => ensureLocalCertificates(home, {openssl: '/nonexistent/openssl'}),
			(error: unknown) =>
				error instanceof TlsUnavailableError && /is not installed.*--provider custom/s.test(error.message),
		);
	});
});
