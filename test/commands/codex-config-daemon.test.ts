import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import {after, before, describe, it} from 'node:test';
import {command} from '../../source/commands/codex-config.ts';
import {serve} from '../../source/commands/serve.ts';
import {tempDir} from '../store/fixtures.ts';
import {runCommand} from './run.ts';
import {type InProcessDaemon, makeHome, serveInProcess, type TestHome} from './serve-harness.ts';

// codex-config with `codexpool serve` running on the same home: it follows the daemon's ports.
let home: TestHome;
let daemon: InProcessDaemon;
let port: string;
let tlsPort: string;

before(async () => {
	home = await makeHome(['alpha']);
	// --port 0: any free port, and so any free HTTPS port.
	daemon = await serveInProcess(home);
	port = new URL(daemon.url).port;
	const https = /over HTTPS at https:\/\/127\.0\.0\.1:(\d+)/.exec(daemon.output());
	assert.ok(https, daemon.output());
	tlsPort = https[1]!;
});

after(async () => {
	await daemon.stop();
	await home.upstream.close();
});

const config = (args: readonly string[], codexHome = tempDir()) =>
	runCommand(command, ['--home', home.home, ...args], {CODEX_HOME: codexHome});

const written = (codexHome: string) => fs.readFileSync(path.join(codexHome, 'config.toml'), 'utf8');

describe('codexpool codex-config with a daemon serving the home', () => {
	it("prints the daemon's ports, not the defaults", async () => {
		const result = await config([]);
		assert.equal(result.code, 0, result.stderr);
		assert.ok(result.stdout.includes(`openai_base_url = "http://127.0.0.1:${port}/backend-api/codex"`));
		assert.ok(result.stdout.includes(`chatgpt_base_url = "https://127.0.0.1:${tlsPort}/backend-api/"`));
		assert.match(result.stdout, /the ports of the daemon serving .*, pid \d+/);
		assert.equal(result.stderr, '');
	});

	it('writes them, and its last hint says the pool is running (not "start it")', async () => {
		const codexHome = tempDir();
		const result = await config(['--write'], codexHome);
		assert.equal(result.code, 0, result.stderr);
		assert.match(written(codexHome), new RegExp(`127\\.0\\.0\\.1:${port}/backend-api/codex`));
		assert.match(written(codexHome), new RegExp(`https://127\\.0\\.0\\.1:${tlsPort}/backend-api/`));
		assert.match(result.stdout, /The pool is running \(pid \d+, http:\/\/127\.0\.0\.1:\d+\): run codex\./);
		assert.doesNotMatch(result.stdout, /Start the pool/);
	});

	it('says so when told other ports than the daemon listens on', async () => {
		const other = String(Number(port) === 65_000 ? 65_001 : 65_000);
		const result = await config(['--write', '--port', other]);
		assert.equal(result.code, 0, result.stderr);
		assert.match(
			result.stderr,
			new RegExp(`listens on port ${port}, not ${other}: Codex would not reach it`),
		);
		assert.match(result.stdout, new RegExp(`restart the pool with \`codexpool serve --port ${other}`));
		assert.doesNotMatch(result.stdout, /The pool is running/);
	});
});

describe('codexpool codex-config with no daemon', () => {
	it('derives the HTTPS port from --port and its last hint starts the pool on what it wrote', async () => {
		const codexHome = tempDir();
		const result = await runCommand(command, ['--write', '--port', '5577', '--home', tempDir()], {
			CODEX_HOME: codexHome,
		});
		assert.equal(result.code, 0, result.stderr);
		assert.match(written(codexHome), /http:\/\/127\.0\.0\.1:5577\/backend-api\/codex/);
		assert.match(written(codexHome), /https:\/\/127\.0\.0\.1:5578\/backend-api\//);
		assert.match(
			result.stdout,
			/Start the pool with `codexpool serve --port 5577 --home [^`]+`, then run codex\./,
		);
	});
});

/** A port P with P + 1 free too (asked of the kernel, then released). */
async function freePair(): Promise<number> {
	const listen = (at: number) =>
		new Promise<net.Server | undefined>((resolve) => {
			const server = net.createServer();
			server.once('error', () => resolve(undefined));
			server.listen(at, '127.0.0.1', () => resolve(server));
		});
	for (;;) {
		const first = (await listen(0))!;
		const at = (first.address() as net.AddressInfo).port;
		const second = at < 65_535 ? await listen(at + 1) : undefined;
		await new Promise((resolve) => first.close(resolve));
		if (second !== undefined) {
			await new Promise((resolve) => second.close(resolve));
			return at;
		}
	}
}

describe('codexpool serve --port P of a second home', () => {
	it("serves HTTPS on P + 1 (not the first home's 4456), and codex-config follows it", async () => {
		const second = await makeHome(['beta']);
		const at = await freePair();
		let output = '';
		const controller = new AbortController();
		let listening: (url: string) => void = () => {};
		const started = new Promise<string>((resolve) => {
			listening = resolve;
		});
		const io = {
			stdout: (text: string) => (output += text),
			stderr: (text: string) => (output += text),
			env: second.env,
		};
		const finished = serve(['--port', String(at), '--home', second.home], io, controller.signal, listening);
		try {
			await Promise.race([started, finished.then(() => assert.fail(output))]);
			assert.match(output, new RegExp(`over HTTPS at https://127\\.0\\.0\\.1:${at + 1}`));
			assert.match(output, new RegExp(`codex-config --write --port ${at}\``), 'no --tls-port needed');
			const result = await runCommand(command, ['--home', second.home], {CODEX_HOME: tempDir()});
			assert.ok(result.stdout.includes(`https://127.0.0.1:${at + 1}/backend-api/`), result.stdout);
		} finally {
			controller.abort();
			assert.equal(await finished, 0, output);
			await second.upstream.close();
		}
	});
});
