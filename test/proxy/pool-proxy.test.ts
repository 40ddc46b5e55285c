import assert from 'node:assert/strict';
import test from 'node:test';
import {systemClock} from '../../source/core/clock.ts';
import {createPoolProxy} from '../../source/core/proxy/index.ts';
import {createRandom} from '../../source/core/random.ts';
import {startSimulatedUpstream} from '../../source/core/simulated-backend/index.ts';
import {createTestTokens, postTurn, recordFor, turnBody} from './harness.ts';
import {serveCodexRoutes} from './serve.ts';

async function start(t: import('node:test').TestContext) {
	const upstream = await startSimulatedUpstream({accounts: [{name: 'a'}, {name: 'b'}]});
	const proxy = createPoolProxy({
		clock: systemClock,
		random: createRandom(1),
		records: ['a', 'b'].map((name) => recordFor(upstream, name)),
		tokens: createTestTokens(upstream, ['a', 'b']).source,
		strategy: () => 'round-robin',
		upstream: upstream.backendUrl,
	});
	const served = await serveCodexRoutes(
		{...proxy, clock: systemClock},
		{
			extra: [
				{
					door: 'codex',
					method: 'GET',
					path: '/v1/ping',
					handle: (_request, response) => {
						response.end('pong');
					},
				},
			],
		},
	);
	const url = served.url;
	t.after(async () => {
		await served.close();
		await proxy.close();
		await upstream.close();
	});
	return {upstream, proxy, url};
}

test('the parts serve Codex routes and another route in the same list', async (t) => {
	const {proxy, url} = await start(t);
	const requests: unknown[] = [];
	proxy.events.on('request', (entry) => requests.push(entry));
	assert.equal(await (await fetch(`${url}/v1/ping`)).text(), 'pong');
	const {status} = await postTurn(url, turnBody('hi'));
	assert.equal(status, 200);
	assert.equal(requests.length, 1);
	assert.equal((await fetch(`${url}/nowhere`)).status, 404);
});

test('pollUsage reads /wham/usage into the pool', async (t) => {
	const {upstream, proxy} = await start(t);
	upstream.accounts.exhaust('a');
	const id = upstream.accounts.get('a').accountId;
	const quota = await proxy.pollUsage(id);
	assert.equal(quota?.fiveHour?.usedPercent, 100);
	assert.equal(proxy.pool.isUsable(id), false);
	assert.equal(proxy.pool.isUsable(upstream.accounts.get('b').accountId), true);
});

test('the dispatch contract: a failure is data, a success a stream to consume', async (t) => {
	const {upstream, proxy} = await start(t);
	upstream.accounts.exhaust('a');
	upstream.accounts.exhaust('b');
	const failure = await proxy.dispatch({
		path: '/codex/responses',
		body: turnBody('hi'),
		headers: {},
		signal: new AbortController().signal,
		client: 'test',
	});
	assert.equal(failure.ok, false);
	assert.equal(!failure.ok && failure.error.type, 'usage_limit_reached');
});
