import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import {after, before, describe, it} from 'node:test';
import {command as serveCommand} from '../../source/commands/serve.ts';
import {runCommand} from './run.ts';
import {
	daemonFile,
	daemonState,
	makeHome,
	readDaemonFile,
	serveInProcess,
	spawnCli,
	status,
	type TestHome,
	turn,
} from './serve-harness.ts';

let home: TestHome;

before(async () => {
	home = await makeHome(['alpha', 'beta']);
});

after(async () => {
	await home.upstream.close();
});

describe('codexpool serve as a child process', () => {
	it('prints its address and how to point Codex at it, writes daemon.json, serves, and stops on SIGTERM', async () => {
		const daemon = spawnCli(['serve', '--port', '0', '--home', home.home], home.env);
		try {
			const [, url] = await daemon.waitFor(/at (http:\/\/127\.0\.0\.1:\d+)\n/);
			assert.match(daemon.output(), /codexpool codex-config --write --port \d+/);
			assert.match(daemon.output(), /2 accounts, strategy phase-fit, scheduler off/);
			assert.deepEqual(
				{url: readDaemonFile(home.home)?.url, pid: readDaemonFile(home.home)?.pid},
				{url, pid: daemon.child.pid},
			);
			assert.equal((fs.statSync(daemonFile(home.home)).mode & 0o777).toString(8), '600');
			assert.equal((await turn(url!, 'child-1')).statusCode, 200);
			assert.equal((await daemonState(url!)).accounts.length, 2);

			// A second daemon on the same home is refused, naming the running one.
			const second = await runCommand(serveCommand, ['--port', '0', '--home', home.home], home.env);
			assert.equal(second.code, 1);
			assert.match(
				second.stderr,
				new RegExp(`already serves .*: pid ${daemon.child.pid} at ${url!.replaceAll('.', '\\.')}`),
			);
			assert.match(second.stderr, /Stop it first .*or start this one with another --home/);
			assert.equal(readDaemonFile(home.home)?.pid, daemon.child.pid, 'the running daemon keeps its file');

			daemon.child.kill('SIGTERM');
			assert.equal(await daemon.exit, 0);
			assert.match(daemon.output(), /Stopping codexpool.*\n.*Stopped\./);
			assert.equal(fs.existsSync(daemonFile(home.home)), false, 'daemon.json removed');
			const after = await status(home, []);
			assert.match(after.stdout, /No daemon serves/);
		} finally {
			daemon.child.kill('SIGKILL');
		}
	});

	it('SIGINT stops it the same way', async () => {
		const daemon = spawnCli(['serve', '--port', '0', '--home', home.home], home.env);
		try {
			await daemon.waitFor(/Stop with Ctrl-C/);
			assert.ok(fs.existsSync(daemonFile(home.home)));
			daemon.child.kill('SIGINT');
			assert.equal(await daemon.exit, 0);
			assert.equal(fs.existsSync(daemonFile(home.home)), false);
		} finally {
			daemon.child.kill('SIGKILL');
		}
	});
});

describe('codexpool serve refuses what it cannot do, with a clear message', () => {
	it('a port in use: names it and suggests --port', async () => {
		const blocker = net.createServer();
		await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
		const {port} = blocker.address() as net.AddressInfo;
		try {
			const result = await runCommand(serveCommand, ['--port', String(port), '--home', home.home], home.env);
			assert.equal(result.code, 1);
			assert.match(result.stderr, new RegExp(`Port ${port} on 127\\.0\\.0\\.1 is already in use`));
			assert.match(result.stderr, /are free: `codexpool serve --port \d+`/);
			assert.equal(fs.existsSync(daemonFile(home.home)), false);
		} finally {
			blocker.close();
		}
	});

	it('a damaged store: its message, exit 1, nothing started', async () => {
		const broken = await makeHome(['solo']);
		try {
			fs.writeFileSync(path.join(broken.home, 'codexpool.json'), '{"accounts": [', {mode: 0o600});
			const result = await runCommand(serveCommand, ['--port', '0', '--home', broken.home], broken.env);
			assert.equal(result.code, 1);
			assert.match(
				result.stderr,
				/codexpool store .* is damaged \(it is not valid JSON\)\. It was moved to /,
			);
			assert.equal(fs.existsSync(daemonFile(broken.home)), false);
		} finally {
			await broken.upstream.close();
		}
	});

	it('bad flags: exit 2 with what to type', async () => {
		const port = await runCommand(serveCommand, ['--port', 'http', '--home', home.home], home.env);
		assert.equal(port.code, 2);
		assert.match(port.stderr, /--port takes a port number from 0 to 65535/);
		const wait = await runCommand(serveCommand, ['--wait-up-to', 'soon', '--home', home.home], home.env);
		assert.equal(wait.code, 2);
		assert.match(wait.stderr, /--wait-up-to: "soon" is not a duration: write it like 90s, 10m/);
		const extra = await runCommand(serveCommand, ['now', '--home', home.home], home.env);
		assert.equal(extra.code, 2);
		const open = await runCommand(
			serveCommand,
			['--host', '0.0.0.0', '--port', '0', '--home', home.home],
			home.env,
		);
		assert.equal(open.code, 1);
		assert.match(
			open.stderr,
			/Refusing to listen on 0\.0\.0\.0: beyond loopback, every client must present a pool key/,
		);
		assert.equal(fs.existsSync(daemonFile(home.home)), false);
		const unknown = await runCommand(serveCommand, ['--prot', '1', '--home', home.home], home.env);
		assert.equal(unknown.code, 2);
		assert.match(unknown.stderr, /Unknown option --prot/);
	});

	it('in process: a second serve of the same home is refused while the first runs; then it may start', async () => {
		const first = await serveInProcess(home, ['--wait-up-to', '90s']);
		const second = await runCommand(serveCommand, ['--port', '0', '--home', home.home], home.env);
		assert.equal(second.code, 1);
		assert.match(second.stderr, new RegExp(`pid ${process.pid} at ${first.url.replaceAll('.', '\\.')}`));
		assert.equal(await first.stop(), 0);
		assert.equal(fs.existsSync(daemonFile(home.home)), false);
		const again = await serveInProcess(home);
		assert.notEqual(again.url, '');
		assert.equal(await again.stop(), 0);
	});
});
