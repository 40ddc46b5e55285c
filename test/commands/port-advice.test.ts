import assert from 'node:assert/strict';
import net from 'node:net';
import {after, before, describe, it} from 'node:test';
import {command as serveCommand} from '../../source/commands/serve.ts';
import {command as uiCommand} from '../../source/commands/ui.tsx';
import {runCommand} from './run.ts';
import {makeHome, type TestHome} from './serve-harness.ts';

// A port in use: the advice names a pair of ports that is free (checked), which `serve --port P` takes whole.
let home: TestHome;
before(async () => {
	home = await makeHome(['solo']);
});

after(async () => {
	await home.upstream.close();
});

async function occupy(port = 0): Promise<net.Server> {
	const server = net.createServer();
	await new Promise<void>((resolve, reject) => {
		server.once('error', reject);
		server.listen(port, '127.0.0.1', resolve);
	});
	return server;
}

const portOf = (server: net.Server) => (server.address() as net.AddressInfo).port;

async function assertFree(port: number): Promise<void> {
	const probe = await occupy(port);
	await new Promise((resolve) => probe.close(resolve));
}

function advisedPair(message: string, start: string): number {
	const match = new RegExp(`Ports (\\d+) and (\\d+) are free: \`${start} --port (\\d+)\` takes both`).exec(
		message,
	);
	assert.ok(match, message);
	assert.equal(Number(match[2]), Number(match[1]) + 1);
	assert.equal(match[3], match[1]);
	assert.match(message, new RegExp(`codexpool codex-config --port ${match[1]}`));
	return Number(match[1]);
}

describe('the port-in-use advice', () => {
	it('serve: the HTTP port taken, a free pair is suggested (never the default HTTPS port)', async () => {
		const blocker = await occupy();
		try {
			const port = portOf(blocker);
			const result = await runCommand(serveCommand, ['--port', String(port), '--home', home.home], home.env);
			assert.equal(result.code, 1);
			assert.match(result.stderr, new RegExp(`Port ${port} on 127\\.0\\.0\\.1 is already in use`));
			const free = advisedPair(result.stderr, 'codexpool serve');
			await assertFree(free);
			await assertFree(free + 1);
		} finally {
			blocker.close();
		}
	});

	it('serve: the derived HTTPS port taken, a free pair too', async () => {
		const blocker = await occupy();
		try {
			const https = portOf(blocker);
			const result = await runCommand(
				serveCommand,
				['--port', String(https - 1), '--home', home.home],
				home.env,
			);
			assert.equal(result.code, 1);
			assert.match(result.stderr, new RegExp(`HTTPS port ${https} on 127\\.0\\.0\\.1 is already in use`));
			const free = advisedPair(result.stderr, 'codexpool serve');
			await assertFree(free);
			await assertFree(free + 1);
		} finally {
			blocker.close();
		}
	});

	it('the control center says the same, with its own command', async () => {
		const blocker = await occupy();
		try {
			const port = portOf(blocker);
			const result = await runCommand(uiCommand, ['--port', String(port), '--home', home.home], home.env);
			assert.equal(result.code, 1);
			assert.match(result.stderr, new RegExp(`Port ${port} on 127\\.0\\.0\\.1 is already in use`));
			const free = advisedPair(result.stderr, 'codexpool');
			await assertFree(free);
		} finally {
			blocker.close();
		}
	});
});
