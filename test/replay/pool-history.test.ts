import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {after, before, describe, it} from 'node:test';
import {command} from '../../source/commands/replay.ts';
import {importSimulatedAccounts} from '../../source/core/demo/seed-home.ts';
import {historyFolder, parseHistoryLine} from '../../source/core/history/record.ts';
import {startSimulatedUpstream} from '../../source/core/simulated-backend/index.ts';
import {openStore} from '../../source/core/store/store.ts';
import {runCommand} from '../commands/run.ts';
import {serveInProcess, type TestHome, turn} from '../commands/serve-harness.ts';
import {tempDir} from '../store/fixtures.ts';

const MARKER = 'PRIVATE-POOL-CONVERSATION-c41d';
let home: TestHome;
const sent = {ok: 0, limited: 0};

before(async () => {
	// Small 5-hour windows (a turn costs some 70 units), so a few turns use both accounts up and the pool
	// answers 429.
	const upstream = await startSimulatedUpstream({
		accounts: ['alpha', 'beta'].map((name) => ({name, fiveHourLimit: 600})),
	});
	const folder = tempDir('codexpool-replay-pool-');
	const store = openStore(folder);
	importSimulatedAccounts(store, upstream, Date.now());
	store.setSettings({scheduler: {...store.getSettings().scheduler, enabled: false}});
	home = {
		home: folder,
		upstream,
		env: {CODEXPOOL_UPSTREAM: upstream.backendUrl, CODEXPOOL_AUTH_ISSUER: upstream.issuerUrl},
	};
	const daemon = await serveInProcess(home);
	try {
		for (let index = 0; index < 80 && sent.limited < 2; index++) {
			const {statusCode} = await turn(daemon.url, `session-${index % 3}`, `${MARKER} turn ${index}`);
			if (statusCode === 200) sent.ok++;
			else if (statusCode === 429) sent.limited++;
		}
	} finally {
		assert.equal(await daemon.stop(), 0);
	}
});

after(async () => {
	await home.upstream.close();
});

describe("the pool's own request history, written by a running daemon", () => {
	it('holds one private record per model request and nothing of the conversation', () => {
		const folder = historyFolder(home.home);
		const file = path.join(folder, 'requests.jsonl');
		assert.equal(fs.statSync(folder).mode & 0o777, 0o700);
		assert.equal(fs.statSync(file).mode & 0o777, 0o600);
		const text = fs.readFileSync(file, 'utf8');
		assert.ok(!text.includes(MARKER), 'the history must not hold message text');
		const records = text
			.trimEnd()
			.split('\n')
			.map((line) => parseHistoryLine(line)!);
		assert.ok(sent.ok > 3 && sent.limited >= 1, `sent ${sent.ok} ok and ${sent.limited} limited`);
		assert.equal(records.filter((record) => record.status === 200).length, sent.ok);
		assert.equal(records.filter((record) => record.limitHit).length, sent.limited);
		const served = records.find((record) => record.status === 200)!;
		assert.ok(served.input > 0 && served.output > 0 && served.account !== undefined);
		assert.equal(served.plan, 'plus');
		assert.equal(served.transport, 'http');
		assert.equal(typeof served.fiveHour?.used, 'number');
		assert.equal(typeof served.weekly?.resetAt, 'number');
	});

	it('is replayed: its requests, sessions, accounts and limit hits', async () => {
		const emptyCodexHome = tempDir('codexpool-replay-nocodex-');
		const result = await runCommand(
			command,
			['--codex-home', emptyCodexHome, '--home', home.home, '--days', '1', '--accounts', '1..3', '--json'],
			home.env,
		);
		assert.equal(result.code, 0, result.stderr);
		assert.ok(!result.stdout.includes(MARKER));
		const report = JSON.parse(result.stdout) as {
			history: {requests: number; sessions: number; accounts: {plan: string}[]; recordedLimitHits: number};
			costModel: {fit: {source: string}};
			whatIf: {accounts: number; interruptions: number}[];
		};
		assert.equal(report.history.requests, sent.ok);
		assert.equal(report.history.sessions, 3);
		assert.equal(report.history.accounts.length, 2);
		assert.ok(report.history.accounts.every((account) => account.plan === 'plus'));
		assert.equal(report.history.recordedLimitHits, sent.limited);
		assert.equal(report.costModel.fit.source, 'readings');
		assert.equal(report.whatIf.length, 3 * 4);
	});

	it('keeps a retention the user sets', async () => {
		const result = await runCommand(command, ['--home', home.home, '--keep-days', '14'], home.env);
		assert.equal(result.code, 0, result.stderr);
		const retention = JSON.parse(
			fs.readFileSync(path.join(historyFolder(home.home), 'retention.json'), 'utf8'),
		);
		assert.deepEqual(retention, {days: 14});
	});
});
