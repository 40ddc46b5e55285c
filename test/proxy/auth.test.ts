import assert from 'node:assert/strict';
import test from 'node:test';
import {startRig} from '../helpers/rig.ts';
import {postTurn, turnBody} from './harness.ts';

test('a 401 is followed by one refresh, then the request succeeds on the same account', async (t) => {
	const h = await startRig({accounts: ['a']});
	t.after(() => h.close());
	h.upstream.accounts.expireAccessTokens('a');
	const {status} = await postTurn(h.url, turnBody('hi'));
	assert.equal(status, 200);
	assert.equal(h.refreshes(), 1);
	assert.deepEqual(h.events.request[0]?.failedOver, []);
	assert.equal(h.pool.get(h.id('a'))?.health.status, 'ok');
});

test('20 concurrent requests with an expired token cause exactly one refresh', async (t) => {
	const h = await startRig({accounts: ['a']});
	t.after(() => h.close());
	h.upstream.accounts.expireAccessTokens('a');
	const results = await Promise.all(
		Array.from({length: 20}, (_, index) =>
			postTurn(h.url, turnBody(`hi ${index}`), {'session-id': `s${index}`}),
		),
	);
	assert.deepEqual(
		results.map((result) => result.status),
		Array.from({length: 20}, () => 200),
	);
	assert.equal(h.refreshes(), 1);
	const stats = h.upstream.refreshTokens();
	assert.deepEqual(stats.reused, [], 'no refresh token was presented twice');
});

test('a pooled account whose 401 survives the refresh is never passed to the client as 401', async (t) => {
	const h = await startRig({accounts: ['a']});
	t.after(() => h.close());
	h.upstream.faults.inject({kind: 'unauthorized', times: 10});
	const response = await fetch(`${h.url}/backend-api/codex/responses`, {
		method: 'POST',
		headers: {'content-type': 'application/json'},
		body: JSON.stringify(turnBody('hi')),
	});
	assert.notEqual(response.status, 401);
	assert.ok([429, 503].includes(response.status), String(response.status));
	const health = h.pool.get(h.id('a'))?.health;
	assert.equal(health?.status === 'cooling' && health.reason, 'auth');
});

test('a 401 on one account with another available: the client sees a success', async (t) => {
	const h = await startRig({accounts: ['a', 'b']});
	t.after(() => h.close());
	h.upstream.faults.inject({kind: 'unauthorized', account: 'a', times: 10});
	for (let index = 0; index < 3; index++) {
		const {status} = await postTurn(h.url, turnBody(`hi ${index}`));
		assert.equal(status, 200);
	}

	assert.equal(h.events.request.filter((entry) => entry.accountId === h.id('a')).length, 0);
});

test('a refresh token refused for good marks the account needs-login, with a message', async (t) => {
	const h = await startRig({accounts: ['a', 'b']});
	t.after(() => h.close());
	// Spend a's refresh token behind the proxy's back, then expire its access token: the refresh is refused as reused.
	const a = h.upstream.accounts.get('a');
	await fetch(h.upstream.tokenUrl, {
		method: 'POST',
		headers: {'content-type': 'application/json'},
		body: JSON.stringify({
			client_id: 'app_EMoamEEZ73f0CkXaXp7hrann',
			grant_type: 'refresh_token',
			refresh_token: a.tokens.refreshToken,
		}),
	});
	h.upstream.accounts.expireAccessTokens('a');
	h.pool.markPicked(h.id('b'));
	const {status} = await postTurn(h.url, turnBody('hi'));
	assert.equal(status, 200);
	assert.equal(h.pool.get(h.id('a'))?.health.status, 'needs-login');
	assert.ok(h.events.notice.some((notice) => /needs a new login/.test(notice.message)));
});
