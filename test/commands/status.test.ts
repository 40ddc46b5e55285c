import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {after, before, describe, it} from 'node:test';
import {evict} from '../../source/commands/marks.ts';
import type {CoreSnapshot} from '../../source/core/contract.ts';
import {pollUntil} from '../helpers/eventually.ts';
import {runCommand} from './run.ts';
import {makeHome, serveInProcess, status, type TestHome, turn} from './serve-harness.ts';

let home: TestHome;

before(async () => {
	home = await makeHome(['alpha', 'beta', 'gamma']);
});

after(async () => {
	await home.upstream.close();
});

type StatusJson = CoreSnapshot & {daemon: {url: string; pid: number} | null};

describe('status with no daemon', () => {
	it('shows what the store knows and says no daemon runs', async () => {
		assert.equal((await runCommand(evict, ['gamma', '--home', home.home], home.env)).code, 0);
		const result = await status(home, []);
		assert.equal(result.code, 0, result.stderr);
		assert.match(result.stdout, /^No daemon serves .* \(start one with `codexpool serve`\)/);
		assert.match(result.stdout, /^ACCOUNT\s+PLAN\s+STATE\s+5H USED\s+WEEKLY USED/m);
		assert.match(result.stdout, /^alpha\s+plus\s+active\s+-\s+-/m);
		assert.match(result.stdout, /^gamma\s+plus\s+evicted/m);
		assert.match(result.stdout, /^Strategy: phase-fit \(/m);
		assert.match(result.stdout, /^Scheduler: off/m);
	});

	it('--json prints the snapshot shape with daemon: null', async () => {
		const result = await status(home, ['--json']);
		assert.equal(result.code, 0, result.stderr);
		const json = JSON.parse(result.stdout) as StatusJson;
		assert.equal(json.daemon, null);
		assert.deepEqual(
			json.accounts.map((account) => [account.name, account.state.kind]),
			[
				['alpha', 'active'],
				['beta', 'active'],
				['gamma', 'evicted'],
			],
		);
		assert.equal(json.strategy, 'phase-fit');
		assert.ok(json.strategies.some((strategy) => strategy.name === 'sequential'));
		assert.equal(json.mode, 'store');
		assert.deepEqual(json.scheduler, {
			enabled: false,
			dryRun: false,
			policy: 'rotate-restart',
			accounts: [],
			nextKicks: [],
		});
		assert.equal(json.totals.requests, 0);
		assert.ok(!result.stdout.includes('accessToken') && !result.stdout.includes('refresh'));
	});

	it('a daemon.json left by a killed daemon is ignored', async () => {
		fs.writeFileSync(
			path.join(home.home, 'daemon.json'),
			JSON.stringify({url: 'http://127.0.0.1:9', pid: 2_147_483_646, startedAt: 0}),
		);
		try {
			const result = await status(home, []);
			assert.equal(result.code, 0, result.stderr);
			assert.match(result.stdout, /^No daemon serves /);
		} finally {
			fs.rmSync(path.join(home.home, 'daemon.json'));
		}
	});

	it('bad arguments: exit 2', async () => {
		const extra = await status(home, ['now']);
		assert.equal(extra.code, 2);
		assert.match(extra.stderr, /takes no arguments/);
		const flag = await status(home, ['--jsn']);
		assert.equal(flag.code, 2);
		assert.match(flag.stderr, /Unknown option --jsn/);
	});
});

describe('status with a daemon, while traffic flows', () => {
	it('--json is the daemon snapshot (requests, sessions, usage) and the text shows usage per account', async () => {
		const daemon = await serveInProcess(home);
		try {
			// Streams in flight while status runs: the upstream sends each answer in slow chunks.
			const {streamChunks, chunkIntervalMs} = home.upstream.settings;
			Object.assign(home.upstream.settings, {streamChunks: 8, chunkIntervalMs: 100});
			const traffic = Promise.all(
				Array.from({length: 6}, async (_, index) => turn(daemon.url, `s-${index}`, 'work '.repeat(50))),
			);
			const during = await pollUntil(
				async () => JSON.parse((await status(home, ['--json'])).stdout) as StatusJson,
				(json) => json.inFlight > 0,
			);
			assert.equal(during.daemon?.url, daemon.url);
			assert.ok(during.inFlight > 0, 'status answered while streams were in flight');
			Object.assign(home.upstream.settings, {streamChunks, chunkIntervalMs});
			for (const answer of await traffic) {
				assert.equal(answer.statusCode, 200);
			}

			await new Promise((resolve) => setTimeout(resolve, 250));
			const result = await status(home, ['--json']);
			const json = JSON.parse(result.stdout) as StatusJson;
			assert.equal(json.mode, 'attached');
			assert.equal(json.proxyUrl, daemon.url);
			assert.equal(json.daemon?.pid, process.pid);
			assert.equal(json.totals.requests, 6);
			assert.equal(json.sessions.length, 6);
			assert.equal(json.requests.length, 6);
			// gamma is evicted: no traffic, the others took it and report their usage.
			const gamma = json.accounts.find((account) => account.name === 'gamma')!;
			assert.equal(gamma.state.kind, 'evicted');
			assert.ok(json.sessions.every((session) => session.accountId !== gamma.id));
			const used = json.accounts.filter((account) => (account.fiveHour?.usedPercent ?? 0) > 0);
			assert.ok(used.length >= 1, 'usage reached the snapshot');

			const text = await status(home, []);
			assert.equal(text.code, 0, text.stderr);
			assert.match(
				text.stdout,
				new RegExp(`^Daemon at ${daemon.url.replaceAll('.', '\\.')} \\(pid ${process.pid}\\)`),
			);
			assert.match(
				text.stdout,
				/^(alpha|beta)\s+plus\s+active\s+\d+% resets \d+h\d\dm\s+\d+% resets \d+d\d\dh/m,
			);
			assert.match(
				text.stdout,
				/^Totals: 6 requests, 6 sessions, 0 moves, 0 failovers, \d+ input \/ \d+ output tokens; 0 in flight$/m,
			);
			for (const account of home.upstream.accounts.list()) {
				assert.ok(!result.stdout.includes(account.tokens.accessToken));
				assert.ok(!result.stdout.includes(account.tokens.refreshToken));
			}
		} finally {
			await daemon.stop();
		}
	});
});
