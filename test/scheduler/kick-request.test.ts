import assert from 'node:assert/strict';
import {test} from 'node:test';
import {systemClock} from '../../source/core/clock.ts';
import {chooseKickModel, parseListedModels} from '../../source/core/scheduler/kick-model.ts';
import {createKickSender, kickBody} from '../../source/core/scheduler/kick-request.ts';
import {startSimulatedUpstream} from '../../source/core/simulated-backend/index.ts';

test('the kick uses the cheapest listed model by name, at its lowest effort, with its own instructions', () => {
	const models = parseListedModels(
		JSON.stringify({
			models: [
				{
					slug: 'gpt-5.5',
					visibility: 'list',
					supported_reasoning_levels: [{effort: 'medium'}, {effort: 'low'}],
				},
				{slug: 'gpt-5.4-mini', visibility: 'hide', supported_reasoning_levels: [{effort: 'minimal'}]},
				{
					slug: 'gpt-5.6-luna',
					visibility: 'list',
					supported_reasoning_levels: [{effort: 'high'}, {effort: 'low'}],
					model_messages: {instructions_template: 'You are Codex.'},
					use_responses_lite: true,
				},
			],
		}),
	);
	const luna = chooseKickModel(models, 'gpt-5.5');
	assert.deepEqual(luna, {
		model: 'gpt-5.6-luna',
		effort: 'low',
		instructions: 'You are Codex.',
		responsesLite: true,
	});
	// Responses-lite: the instructions go in front of the input as a developer message.
	const body = kickBody(luna);
	assert.equal('instructions' in body, false);
	assert.deepEqual(
		body.input.map((item) => item.role),
		['developer', 'user'],
	);
	// No cheap name listed: the configured model if listed, else the first; no list: the configured one.
	assert.equal(chooseKickModel(models?.slice(0, 2), 'gpt-5.5').model, 'gpt-5.5');
	assert.equal(chooseKickModel(models?.slice(0, 1), 'other').model, 'gpt-5.5');
	assert.deepEqual(chooseKickModel(undefined, 'my-model'), {
		model: 'my-model',
		effort: 'low',
		instructions: undefined,
		responsesLite: false,
	});
	assert.equal(kickBody(chooseKickModel(undefined, 'my-model')).instructions, 'Reply with one word.');
	assert.equal(parseListedModels('not json'), undefined);
});

test('a kick on the simulated upstream starts the idle windows, reads the stream and records the cost', async (t) => {
	const upstream = await startSimulatedUpstream({accounts: [{name: 'alpha'}]});
	t.after(() => upstream.close());
	const account = upstream.accounts.get('alpha');
	assert.equal(upstream.accounts.quota('alpha').fiveHour?.isIdle, true);
	const sendKick = createKickSender({
		backendUrl: upstream.backendUrl,
		getAccessToken: async () => upstream.accounts.get('alpha').tokens.accessToken,
		clock: systemClock,
	});
	const outcome = await sendKick(account.accountId);
	assert.equal(outcome.ok, true, outcome.detail);
	assert.equal(outcome.status, 200);
	assert.equal(outcome.model, 'gpt-5.5');
	assert.equal(outcome.effort, 'low');
	assert.ok(outcome.inputTokens > 0 && outcome.outputTokens > 0);
	assert.ok(outcome.rateLimitHeaders['x-codex-primary-used-percent'] !== undefined);
	assert.equal(upstream.accounts.quota('alpha').fiveHour?.isIdle, false);
	const sent = upstream.log.find((entry) => entry.path?.endsWith('/codex/responses'));
	const body = sent?.body as Record<string, unknown> | undefined;
	assert.equal(body?.store, false);
	assert.equal(body?.stream, true);
	assert.deepEqual(body?.reasoning, {effort: 'low'});
	assert.match(String(body?.instructions), /You are Codex/, "the model's own instructions, from the list");
	// The token is in no part of the outcome.
	assert.ok(!JSON.stringify(outcome).includes(account.tokens.accessToken));
});

test("a kick of an exhausted account fails with the upstream's words and no token", async (t) => {
	const upstream = await startSimulatedUpstream({accounts: [{name: 'beta'}]});
	t.after(() => upstream.close());
	upstream.accounts.exhaust('beta');
	const account = upstream.accounts.get('beta');
	const sendKick = createKickSender({
		backendUrl: upstream.backendUrl,
		getAccessToken: async () => account.tokens.accessToken,
		clock: systemClock,
	});
	const outcome = await sendKick(account.accountId);
	assert.equal(outcome.ok, false);
	assert.equal(outcome.status, 429);
	assert.match(outcome.detail, /429.*usage limit/i);
	assert.ok(!outcome.detail.includes(account.tokens.accessToken));
});

test('a kick without a token or without an upstream fails with a message saying what to do', async () => {
	const noToken = createKickSender({
		backendUrl: 'http://127.0.0.1:1/backend-api',
		getAccessToken: async () => {
			throw new Error('refresh token refused');
		},
		clock: systemClock,
	});
	assert.match((await noToken('x')).detail, /no access token.*log in/);
	const noUpstream = createKickSender({
		backendUrl: 'http://127.0.0.1:1/backend-api',
		getAccessToken: async () => 'secret-token',
		clock: systemClock,
		timeoutMs: 2000,
	});
	const outcome = await noUpstream('x');
	assert.equal(outcome.ok, false);
	assert.match(outcome.detail, /request failed.*reachable/);
	assert.ok(!outcome.detail.includes('secret-token'));
});
