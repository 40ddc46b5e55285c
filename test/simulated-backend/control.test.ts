import assert from 'node:assert/strict';
import {spawn} from 'node:child_process';
import {once} from 'node:events';
import {createInterface} from 'node:readline';
import {test} from 'node:test';
import {CODEX_CLIENT_ID, startSimulatedUpstream} from '../../source/core/simulated-backend/index.ts';
import {startFaultyUpstream} from '../helpers/faults.ts';
import {codexBody, deltaText, parseSse} from './helpers.ts';

type Started = {
	url: string;
	backendUrl: string;
	tokenUrl: string;
	accounts: Array<{
		name: string;
		accountId: string;
		authJson: {tokens: {access_token: string; refresh_token: string}};
	}>;
};

test('the standalone process prints its address and accounts and is driven through /__sim/*', async (t) => {
	const child = spawn(
		process.execPath,
		[
			'--import',
			'tsx',
			'source/core/simulated-backend/standalone.ts',
			'--accounts',
			'alice,bob',
			'--delta-count',
			'20',
		],
		{stdio: ['ignore', 'pipe', 'inherit']},
	);
	t.after(() => child.kill('SIGTERM'));
	const [line] = (await once(createInterface({input: child.stdout}), 'line')) as [string];
	const started = JSON.parse(line) as Started;
	assert.deepEqual(
		started.accounts.map((account) => account.name),
		['alice', 'bob'],
	);
	const alice = started.accounts[0];
	assert.ok(alice);
	const turn = () =>
		fetch(`${started.backendUrl}/codex/responses`, {
			method: 'POST',
			headers: {
				'content-type': 'application/json',
				authorization: `Bearer ${alice.authJson.tokens.access_token}`,
				'chatgpt-account-id': alice.accountId,
			},
			body: JSON.stringify(codexBody('over there')),
		});

	const events = parseSse(await (await turn()).text());
	assert.equal(events.filter((e) => e.event === 'response.output_text.delta').length, 20);
	assert.match(deltaText(events), /^Hello from alice\. You said: over there/);

	const control = (method: string, path: string, body?: unknown) =>
		fetch(`${started.url}/__sim${path}`, {
			method,
			headers: {'content-type': 'application/json'},
			...(body === undefined ? {} : {body: JSON.stringify(body)}),
		});
	assert.equal((await control('PATCH', '/settings', {deltaCount: 5})).status, 200);
	const fewer = parseSse(await (await turn()).text());
	assert.equal(fewer.filter((e) => e.event === 'response.output_text.delta').length, 5);
	assert.equal((await control('POST', '/accounts/alice/exhaust', {})).status, 200);
	assert.equal((await turn()).status, 429);
	const state = (await (await control('GET', '/state')).json()) as {
		accounts: Array<{name: string; quota: {fiveHour: {isExhausted: boolean}}}>;
	};
	assert.equal(state.accounts[0]?.quota.fiveHour.isExhausted, true);
	const log = (await (await control('GET', '/log')).json()) as {
		entries: Array<{status: number; headers: Record<string, string>}>;
	};
	assert.deepEqual(
		log.entries.filter((entry) => entry.headers.authorization).map((entry) => entry.status),
		[200, 200, 429],
	);
	assert.ok(
		log.entries.every(
			(entry) => !entry.headers.authorization || entry.headers.authorization === '[redacted]',
		),
	);
	assert.equal(
		(await control('POST', '/faults', {kind: 'server_error'})).status,
		404,
		'no faults in what ships',
	);
});

test('without control: true there is no /__sim API', async (t) => {
	const upstream = await startSimulatedUpstream({accounts: [{name: 'a'}]});
	t.after(() => upstream.close());
	assert.equal((await fetch(`${upstream.url}/__sim/state`)).status, 404);
});

test('a token fault answers /oauth/token with the status and leaves the refresh token usable', async (t) => {
	const upstream = await startFaultyUpstream({accounts: [{name: 'a'}]});
	t.after(() => upstream.close());
	upstream.faults.inject({kind: 'server_error', target: 'token'});
	const refresh = () =>
		fetch(upstream.tokenUrl, {
			method: 'POST',
			headers: {'content-type': 'application/json'},
			body: JSON.stringify({
				client_id: CODEX_CLIENT_ID,
				grant_type: 'refresh_token',
				refresh_token: upstream.accounts.get('a').tokens.refreshToken,
			}),
		});
	assert.equal((await refresh()).status, 500);
	assert.equal((await refresh()).status, 200);
	assert.deepEqual(upstream.refreshTokens().reused, []);
	assert.throws(() => upstream.faults.inject({kind: 'stream_cut', target: 'token'}), /cannot target/);
});
