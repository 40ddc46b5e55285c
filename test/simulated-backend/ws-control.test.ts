import assert from 'node:assert/strict';
import {test} from 'node:test';
import {startSimulatedUpstream} from '../../source/core/simulated-backend/index.ts';
import {codexBody} from './helpers.ts';
import {openWs} from './ws-client.ts';

test('the control API steers WebSocket upgrades and behaviours and reports each connection', async (t) => {
	const upstream = await startSimulatedUpstream({accounts: [{name: 'a'}], control: true});
	t.after(() => upstream.close());
	const control = async (method: string, path: string, body?: unknown) => {
		const response = await fetch(`${upstream.url}/__sim${path}`, {
			method,
			headers: {'content-type': 'application/json'},
			...(body === undefined ? {} : {body: JSON.stringify(body)}),
		});
		return {status: response.status, body: (await response.json()) as Record<string, unknown>};
	};

	assert.equal((await control('PATCH', '/websockets', {upgrade: 426})).status, 200);
	const refused = await openWs(upstream, 'a');
	assert.equal(refused.ok ? 101 : refused.status, 426);
	assert.equal((await control('PATCH', '/websockets', {upgrade: 'sometimes'})).status, 400);
	await control('PATCH', '/websockets', {upgrade: 'accept'});

	const open = await openWs(upstream, 'a');
	assert.ok(open.ok);
	assert.equal(
		(await control('POST', '/websockets/behaviours', {kind: 'close_1011', account: 'a'})).status,
		200,
	);
	assert.equal((await open.client.request(codexBody('x'))).closed, 1011);
	assert.equal((await control('POST', '/websockets/behaviours', {kind: 'nope'})).status, 400);

	const again = await openWs(upstream, 'a');
	assert.ok(again.ok);
	await again.client.request(codexBody('y'));
	const state = await control('GET', '/websockets');
	const connections = state.body.connections as Array<{
		account: string;
		framesReceived: number;
		requests: Array<{outcome: string; items: number}>;
	}>;
	assert.equal(state.body.open, 1);
	assert.deepEqual(
		connections.map((c) => [c.account, c.framesReceived, c.requests.map((r) => r.outcome)]),
		[
			['a', 1, ['closed']],
			['a', 1, ['completed']],
		],
	);
	await control('POST', '/websockets/close-all', {code: 1012, reason: 'moving'});
	assert.equal(await again.client.close(), 1012);
});
