import {execFileSync} from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {ensurePrivateFolder} from '../home.ts';

/** The local CA and the server certificate the HTTPS listener presents (all PEM). */
export type LocalCertificates = {
	/** `<home>/tls/ca.pem`: what `CODEX_CA_CERTIFICATE` names. */
	readonly caPath: string;
	readonly cert: string;
	readonly key: string;
	/** Whether anything was (re)created by this call. */
	readonly created: 'ca-and-server' | 'server' | 'nothing';
};

/** The `openssl` command is missing or failed: the HTTPS listener (Codex config variant A) is unavailable. */
export class TlsUnavailableError extends Error {
	override name = 'TlsUnavailableError';
}

export const CA_NAME = 'codexpool local CA';
const caDays = 3650;
const serverDays = 825;
// Certificates with less than this left are replaced, so a running pool never presents an expired one.
const renewBeforeMs = 30 * 24 * 3600 * 1000;

// Name constraints keep the CA harmless should its key ever leak: it can only vouch for loopback names.
const opensslConfig = `
[req]
distinguished_name = dn
prompt = no
[dn]
CN = ${CA_NAME}
O = codexpool (this machine only)
[ca_ext]
basicConstraints = critical, CA:TRUE, pathlen:0
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
nameConstraints = critical, permitted;IP:127.0.0.0/255.0.0.0, permitted;IP:0:0:0:0:0:0:0:1/FFFF:FFFF:FFFF:FFFF:FFFF:FFFF:FFFF:FFFF, permitted;DNS:localhost
[server_ext]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = IP:127.0.0.1, DNS:localhost, IP:0:0:0:0:0:0:0:1
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
`;

/**
The local CA (`<home>/tls/ca.pem`, key `ca-key.pem` 0600) and a server certificate for 127.0.0.1, ::1 and
localhost signed by it (`server.pem`, `server-key.pem` 0600), in a 0700 folder. Created once with the `openssl`
command and reused while valid and matching; a server certificate close to expiry is reissued by the same CA
(so the path Codex trusts stays right). Throws TlsUnavailableError when openssl is missing or fails.
*/
export function ensureLocalCertificates(
	home: string,
	options: {now?: Date; openssl?: string} = {},
): LocalCertificates {
	const now = options.now ?? new Date();
	const openssl = options.openssl ?? 'openssl';
	const folder = path.join(home, 'tls');
	ensurePrivateFolder(folder);
	const files = {
		ca: path.join(folder, 'ca.pem'),
		caKey: path.join(folder, 'ca-key.pem'),
		cert: path.join(folder, 'server.pem'),
		key: path.join(folder, 'server-key.pem'),
	};
	let created: LocalCertificates['created'] = 'nothing';
	if (!caUsable(files.ca, files.caKey, now)) {
		withScratch((scratch) => {
			const config = path.join(scratch, 'openssl.cnf');
			fs.writeFileSync(config, opensslConfig);
			writePrivate(files.caKey, newKey());
			run(openssl, [
				'req',
				'-x509',
				'-new',
				'-config',
				config,
				'-extensions',
				'ca_ext',
				'-key',
				files.caKey,
				'-days',
				String(caDays),
				'-sha256',
				'-set_serial',
				serial(),
				'-out',
				path.join(scratch, 'ca.pem'),
			]);
			replace(path.join(scratch, 'ca.pem'), files.ca);
		});
		created = 'ca-and-server';
	}

	if (created !== 'nothing' || !serverUsable(files, now)) {
		withScratch((scratch) => {
			const config = path.join(scratch, 'openssl.cnf');
			fs.writeFileSync(config, opensslConfig.replace(`CN = ${CA_NAME}`, 'CN = codexpool on 127.0.0.1'));
			const csr = path.join(scratch, 'server.csr');
			writePrivate(files.key, newKey());
			run(openssl, ['req', '-new', '-config', config, '-key', files.key, '-out', csr]);
			run(openssl, [
				'x509',
				'-req',
				'-in',
				csr,
				'-CA',
				files.ca,
				'-CAkey',
				files.caKey,
				'-set_serial',
				serial(),
				'-days',
				String(serverDays),
				'-sha256',
				'-extfile',
				config,
				'-extensions',
				'server_ext',
				'-out',
				path.join(scratch, 'server.pem'),
			]);
			replace(path.join(scratch, 'server.pem'), files.cert);
		});
		created = created === 'nothing' ? 'server' : created;
	}

	return {
		caPath: files.ca,
		cert: fs.readFileSync(files.cert, 'utf8'),
		key: fs.readFileSync(files.key, 'utf8'),
		created,
	};
}

function caUsable(caFile: string, keyFile: string, now: Date): boolean {
	try {
		const ca = new crypto.X509Certificate(fs.readFileSync(caFile));
		const key = crypto.createPrivateKey(fs.readFileSync(keyFile));
		return ca.ca && ca.checkPrivateKey(key) && fresh(ca, now);
	} catch {
		return false;
	}
}

function serverUsable(files: {ca: string; cert: string; key: string}, now: Date): boolean {
	try {
		const ca = new crypto.X509Certificate(fs.readFileSync(files.ca));
		const cert = new crypto.X509Certificate(fs.readFileSync(files.cert));
		const key = crypto.createPrivateKey(fs.readFileSync(files.key));
		return (
			cert.verify(ca.publicKey) &&
			cert.checkPrivateKey(key) &&
			cert.checkIP('127.0.0.1') !== undefined &&
			cert.checkHost('localhost') !== undefined &&
			fresh(cert, now)
		);
	} catch {
		return false;
	}
}

function fresh(cert: crypto.X509Certificate, now: Date): boolean {
	return new Date(cert.validFrom) <= now && new Date(cert.validTo).getTime() - now.getTime() > renewBeforeMs;
}

function newKey(): string {
	const {privateKey} = crypto.generateKeyPairSync('ec', {namedCurve: 'P-256'});
	return privateKey.export({type: 'pkcs8', format: 'pem'}).toString();
}

function serial(): string {
	// Positive, 16 bytes: unique enough that a reissued certificate never repeats a serial.
	return `0x${(crypto.randomBytes(16)[0]! & 0x7f).toString(16).padStart(2, '0')}${crypto.randomBytes(15).toString('hex')}`;
}

function writePrivate(file: string, text: string): void {
	const temp = `${file}.${process.pid}.tmp`;
	fs.writeFileSync(temp, text, {mode: 0o600});
	fs.chmodSync(temp, 0o600);
	fs.renameSync(temp, file);
}

function replace(from: string, to: string): void {
	fs.chmodSync(from, 0o644);
	fs.copyFileSync(from, `${to}.${process.pid}.tmp`);
	fs.renameSync(`${to}.${process.pid}.tmp`, to);
}

function withScratch(work: (scratch: string) => void): void {
	const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'codexpool-tls-'));
	try {
		work(scratch);
	} finally {
		fs.rmSync(scratch, {recursive: true, force: true});
	}
}

function run(openssl: string, args: string[]): void {
	try {
		execFileSync(openssl, args, {stdio: ['ignore', 'ignore', 'pipe'], timeout: 20_000});
	} catch (error) {
		const {code, stderr} = error as NodeJS.ErrnoException & {stderr?: Buffer};
		if (code === 'ENOENT') {
			throw new TlsUnavailableError(
				`The \`${openssl}\` command is not installed, and codexpool needs it once to create its local CA for HTTPS ` +
					'(Codex config variant A). Install openssl (e.g. `apt install openssl`, `brew install openssl`), or use ' +
					'`codexpool codex-config --provider custom`, which needs no HTTPS.',
			);
		}

		throw new TlsUnavailableError(
			`openssl failed while creating codexpool's local certificates: ${stderr?.toString().trim().split('\n')[0] ?? String(error)}. ` +
				'Use `codexpool codex-config --provider custom` (no HTTPS needed) and report this.',
		);
	}
}
