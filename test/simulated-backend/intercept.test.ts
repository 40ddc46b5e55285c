import assert from 'node:assert/strict';
import {test} from 'node:test';
import {type InterceptedRequest, startSimulatedUpstream} from '../../source/core/simulated-backend/index.ts';
import {codexBody, parseSse, postResponses} from './helpers.ts';

test('the intercept hook sees each model request as its account, and its answer replaces the backend’s', async (t) => {
	const seen: InterceptedRequest[] = [];
	let answer = true;
	const upstream = await startSimulatedUpstream({
		accounts: [{name: 'a', plan: 'pro'}],
		intercept(request) {
			seen.push(request);
			return answer ? {label: 'teapot', answer: {status: 418, body: {error: {type: 'teapot'}}}} : undefined;
		},
	});
	t.after(() => upstream.close());
	const refused = await postResponses(upstream, 'a', codexBody('x'));
	assert.equal(refused.status, 418);
	assert.deepEqual(await refused.json(), {error: {type: 'teapot'}});
	assert.equal(upstream.log.at(-1)?.fault, 'teapot');
	assert.deepEqual(seen[0]?.account, {
		name: 'a',
		accountId: upstream.accounts.get('a').accountId,
		plan: 'pro',
	});
	assert.equal(seen[0]?.target, 'responses');
	assert.match(seen[0]?.rateLimitHeaders()['x-codex-primary-used-percent'] ?? '', /^\d/);

	answer = false;
	const plain = await postResponses(upstream, 'a', codexBody('x'));
	assert.equal(plain.status, 200);
	assert.equal(parseSse(await plain.text()).at(-1)?.event, 'response.completed');
	assert.equal(upstream.log.at(-1)?.fault, undefined);
});

test('an interception may rewrite the stream: here it ends after response.created', async (t) => {
	const upstream = await startSimulatedUpstream({
		accounts: [{name: 'a'}],
		intercept: () => ({label: 'short', stream: (planned) => ({head: planned.head, rest: [], ending: 'end'})}),
	});
	t.after(() => upstream.close());
	const response = await postResponses(upstream, 'a', codexBody('x'));
	assert.deepEqual(
		parseSse(await response.text()).map((event) => event.event),
		['response.created'],
	);
});
