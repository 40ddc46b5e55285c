import assert from 'node:assert/strict';
import {test} from 'node:test';
import {createManualClock, HOUR, MINUTE} from '../../source/core/clock.ts';
import {startSimulatedUpstream} from '../../source/core/simulated-backend/index.ts';
import {authHeaders, codexBody, postResponses} from './helpers.ts';

const START = Date.UTC(2026, 10, 22, 8, 0, 0);

async function setup() {
	const clock = createManualClock(START);
	const upstream = await startSimulatedUpstream({
		clock,
		requestCost: () => 1,
		accounts: [
			{name: 'a', fiveHourLimit: 3, weeklyLimit: 10},
			{name: 'free', plan: 'free', weeklyOnly: true, weeklyLimit: 2},
		],
	});
	return {clock, upstream};
}

const turn = async (upstream: Awaited<ReturnType<typeof setup>>['upstream'], name: string) => {
	const response = await postResponses(upstream, name, codexBody('hi'));
	await response.text();
	return response;
};

test('idle windows report 0 used and a reset time that slides with the clock', async (t) => {
	const {clock, upstream} = await setup();
	t.after(() => upstream.close());
	const before = upstream.accounts.quota('a');
	assert.equal(before.fiveHour?.isIdle, true);
	assert.equal(before.fiveHour?.usedPercent, 0);
	assert.equal(before.fiveHour?.resetAt, (START + 300 * MINUTE) / 1000);
	clock.advance(HOUR);
	assert.equal(upstream.accounts.quota('a').fiveHour?.resetAt, (START + HOUR + 300 * MINUTE) / 1000);
	assert.equal(upstream.accounts.quota('a').weekly.resetAt, (START + HOUR + 10_080 * MINUTE) / 1000);
});

test('idleUsedPercent makes idle windows look like the real backend (about 1%)', async (t) => {
	const upstream = await startSimulatedUpstream({idleUsedPercent: 1, accounts: [{name: 'a'}]});
	t.after(() => upstream.close());
	const usage = await fetch(`${upstream.backendUrl}/wham/usage`, {headers: authHeaders(upstream, 'a')});
	const body = (await usage.json()) as {rate_limit: {primary_window: {used_percent: number}}};
	assert.equal(body.rate_limit.primary_window.used_percent, 1);
});

test('windows start on first use, fill up, answer 429 with the usage-limit body, and reset after 300 minutes', async (t) => {
	const {clock, upstream} = await setup();
	t.after(() => upstream.close());
	clock.advance(10 * MINUTE);
	const first = await turn(upstream, 'a');
	assert.equal(first.status, 200);
	const startedAt = START + 10 * MINUTE;
	assert.equal(first.headers.get('x-codex-primary-reset-at'), String((startedAt + 300 * MINUTE) / 1000));
	assert.equal(first.headers.get('x-codex-primary-used-percent'), '33.33');
	assert.equal(first.headers.get('x-codex-secondary-used-percent'), '10');
	clock.advance(HOUR);
	assert.equal(
		upstream.accounts.quota('a').fiveHour?.resetAt,
		(startedAt + 300 * MINUTE) / 1000,
		'no longer slides',
	);
	assert.equal((await turn(upstream, 'a')).status, 200);
	assert.equal((await turn(upstream, 'a')).status, 200);

	const limited = await postResponses(upstream, 'a', codexBody('hi'));
	assert.equal(limited.status, 429);
	assert.equal(limited.headers.get('x-codex-primary-used-percent'), '100');
	assert.equal(limited.headers.get('retry-after'), null);
	const resetsAt = (startedAt + 300 * MINUTE) / 1000;
	assert.deepEqual(await limited.json(), {
		error: {
			type: 'usage_limit_reached',
			message: 'The usage limit has been reached',
			plan_type: 'plus',
			resets_at: resetsAt,
			resets_in_seconds: resetsAt - (START + 70 * MINUTE) / 1000,
		},
	});

	clock.set(startedAt + 300 * MINUTE);
	const quota = upstream.accounts.quota('a');
	assert.equal(quota.fiveHour?.isIdle, true);
	assert.equal(quota.weekly.isIdle, false, 'the weekly window keeps running');
	assert.equal((await turn(upstream, 'a')).status, 200);
});

test('a weekly-only plan reports its weekly window in the primary slot and no secondary', async (t) => {
	const {clock, upstream} = await setup();
	t.after(() => upstream.close());
	const response = await turn(upstream, 'free');
	assert.equal(response.headers.get('x-codex-primary-window-minutes'), '10080');
	assert.equal(response.headers.get('x-codex-secondary-window-minutes'), null);
	await turn(upstream, 'free');
	clock.advance(6 * HOUR);
	const limited = await postResponses(upstream, 'free', codexBody('hi'));
	assert.equal(limited.status, 429);
	const {error} = (await limited.json()) as {error: {plan_type: string; resets_in_seconds: number}};
	assert.equal(error.plan_type, 'free');
	assert.equal(error.resets_in_seconds, (10_080 * MINUTE - 6 * HOUR) / 1000);
});

test('/wham/usage has the shape of the real endpoint', async (t) => {
	const {upstream} = await setup();
	t.after(() => upstream.close());
	await turn(upstream, 'a');
	for (const path of ['/backend-api/wham/usage', '/api/codex/usage']) {
		const response = await fetch(`${upstream.url}${path}`, {headers: authHeaders(upstream, 'a')});
		assert.equal(response.status, 200);
		assert.deepEqual(await response.json(), {
			plan_type: 'plus',
			rate_limit: {
				allowed: true,
				limit_reached: false,
				primary_window: {
					used_percent: 33,
					limit_window_seconds: 18_000,
					reset_after_seconds: 18_000,
					reset_at: START / 1000 + 18_000,
				},
				secondary_window: {
					used_percent: 10,
					limit_window_seconds: 604_800,
					reset_after_seconds: 604_800,
					reset_at: START / 1000 + 604_800,
				},
			},
			credits: {has_credits: false, unlimited: false, balance: null},
		});
	}

	upstream.accounts.exhaust('a', 'weekly');
	const exhausted = (await (
		await fetch(`${upstream.backendUrl}/wham/usage`, {headers: authHeaders(upstream, 'a')})
	).json()) as {
		rate_limit: {allowed: boolean; limit_reached: boolean; secondary_window: {used_percent: number}};
	};
	assert.equal(exhausted.rate_limit.limit_reached, true);
	assert.equal(exhausted.rate_limit.allowed, false);
	assert.equal(exhausted.rate_limit.secondary_window.used_percent, 100);
});

test('setUsedPercent and exhaust drive the quota directly', async (t) => {
	const {upstream} = await setup();
	t.after(() => upstream.close());
	upstream.accounts.setUsedPercent('a', {fiveHour: 50});
	assert.equal(upstream.accounts.quota('a').fiveHour?.usedPercent, 50);
	upstream.accounts.exhaust('a');
	assert.equal((await postResponses(upstream, 'a', codexBody('hi'))).status, 429);
});
